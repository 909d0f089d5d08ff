import { expect, it } from "vitest";
import { createVm, destroyVm, getVm } from "@carve/core";
import { domainName } from "@carve/protocol";
import { waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { useRealHostSuite } from "../lib/hypervisor/real-host.ts";
import { TINY_BOOT_MARKER, TINY_TICK_PREFIX } from "../lib/hypervisor/tiny-image.ts";

const suite = useRealHostSuite();

it("the agent boots a VM on libvirtd + QEMU (TCG) from the self-built image; its serial console prints; destroy removes it", async () => {
  const started = Date.now();
  const { vm, job } = await createVm(suite.stack.core, suite.dev, { name: "tiny-1", template: "tiny", offering: "tiny" });
  expect((await suite.stack.finish(suite.dev, job.id)).state).toBe("Succeeded");
  const runningMs = Date.now() - started;
  expect((await getVm(suite.stack.core, suite.dev, { vm: "tiny-1" })).state).toBe("Running");
  expect(await suite.real.objects()).toEqual({ domains: [domainName(vm.id)], volumes: [expect.stringMatching(/^carve-.*\.qcow2$/)] });

  const booted = await waitForConsoleLine(suite.real.consoleLog(vm.id), TINY_BOOT_MARKER, 60_000);
  await waitForConsoleLine(suite.real.consoleLog(vm.id), new RegExp(`^${TINY_TICK_PREFIX} 2$`), 15_000);
  console.info(`[real-hypervisor] create → Running ${runningMs} ms; console marker ${booted.elapsedMs} ms after that`);

  expect((await suite.stack.finish(suite.dev, (await destroyVm(suite.stack.core, suite.dev, { vm: "tiny-1" })).id)).state).toBe("Succeeded");
  expect(await suite.real.objects()).toEqual({ domains: [], volumes: [] });
});
