import { afterAll, beforeAll, expect, it } from "vitest";
import { createVm, destroyVm, getVm, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { addRealHost } from "../lib/hypervisor/real-host.ts";
import { TINY_BOOT_MARKER, TINY_TICK_PREFIX } from "../lib/hypervisor/tiny-image.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let dev: TActor;
let real: Awaited<ReturnType<typeof addRealHost>>;

beforeAll(async () => {
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  real = await addRealHost(stack, admin);
});

afterAll(async () => {
  await real?.cleanup.run();
  await stack?.stop();
});

it("the agent boots a VM on libvirtd + QEMU (TCG) from the self-built image; its serial console prints; destroy removes it", async () => {
  const started = Date.now();
  const { vm, job } = await createVm(stack.core, dev, { name: "tiny-1", template: "tiny", offering: "tiny" });
  expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
  const runningMs = Date.now() - started;
  expect((await getVm(stack.core, dev, { vm: "tiny-1" })).state).toBe("Running");
  expect(await real.objects()).toEqual({ domains: [domainName(vm.id)], volumes: [expect.stringMatching(/^carve-.*\.qcow2$/)] });

  const booted = await waitForConsoleLine(real.consoleLog(vm.id), TINY_BOOT_MARKER, 60_000);
  await waitForConsoleLine(real.consoleLog(vm.id), new RegExp(`^${TINY_TICK_PREFIX} 2$`), 15_000);
  console.info(`[real-hypervisor] create → Running ${runningMs} ms; console marker ${booted.elapsedMs} ms after that`);

  expect((await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: "tiny-1" })).id)).state).toBe("Succeeded");
  expect(await real.objects()).toEqual({ domains: [], volumes: [] });
});
