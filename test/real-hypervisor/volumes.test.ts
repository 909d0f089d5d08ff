import { expect, it } from "vitest";
import { attachVolume, createDiskOffering, createVm, createVolume, deleteVolume, destroyVm, detachVolume, getVm, resizeVolume } from "@carve/core";
import { domainName } from "@carve/protocol";
import { waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { useRealHostSuite } from "../lib/hypervisor/real-host.ts";
import { TINY_BOOT_MARKER } from "../lib/hypervisor/tiny-image.ts";
import { virsh } from "../lib/hypervisor/virsh.ts";

const suite = useRealHostSuite(async ({ stack, admin }) => {
  await createDiskOffering(stack.core, admin, { name: "scratch", minSizeGiB: 1, maxSizeGiB: 4, scope: "Local" });
});

const GIB = 1024 ** 3;
/** The disk at `target` in the running domain's live XML: its source file, or null. */
async function liveDisk(domain: string, target: string): Promise<string | null> {
  const xml = await virsh(suite.real.uri, ["dumpxml", domain]);
  for (const disk of xml.split("</disk>")) {
    if (new RegExp(`<target dev=["']${target}["']`).test(disk)) return /<source file=["']([^"']+)["']/.exec(disk)?.[1] ?? null;
  }
  return null;
}

it("a data disk is hot-plugged into a RUNNING VM, grown live, and unplugged, on libvirtd + QEMU (TCG)", async () => {
  const { vm, job } = await createVm(suite.stack.core, suite.dev, { name: "disks-1", template: "tiny", offering: "tiny" });
  expect((await suite.stack.finish(suite.dev, job.id)).state).toBe("Succeeded");
  await waitForConsoleLine(suite.real.consoleLog(vm.id), TINY_BOOT_MARKER, 60_000);
  const domain = domainName(vm.id);

  const created = await createVolume(suite.stack.core, suite.dev, { name: "scratch-1", diskOffering: "scratch", sizeGiB: 1, vm: "disks-1" });
  expect((await suite.stack.finish(suite.dev, created.job.id)).state).toBe("Succeeded");

  let started = Date.now();
  expect((await suite.stack.finish(suite.dev, (await attachVolume(suite.stack.core, suite.dev, { volume: "scratch-1", vm: "disks-1" })).id)).state).toBe("Succeeded");
  console.info(`[real-hypervisor] attach to a running VM ${Date.now() - started} ms`);
  const path = await liveDisk(domain, "vdb");
  expect(path).toMatch(new RegExp(`carve-${created.volume.id}\\.qcow2$`));
  expect((await getVm(suite.stack.core, suite.dev, { vm: "disks-1" })).state).toBe("Running");
  // Persistent too: the next boot keeps the disk.
  expect(await virsh(suite.real.uri, ["dumpxml", "--inactive", domain])).toContain(path ?? "?");

  started = Date.now();
  expect((await suite.stack.finish(suite.dev, (await resizeVolume(suite.stack.core, suite.dev, { volume: "scratch-1", sizeGiB: 2 })).id)).state).toBe("Succeeded");
  console.info(`[real-hypervisor] live resize ${Date.now() - started} ms`);
  expect(await virsh(suite.real.uri, ["domblkinfo", domain, "vdb"])).toMatch(new RegExp(`Capacity:\\s+${2 * GIB}`));

  started = Date.now();
  const detach = await suite.stack.finish(suite.dev, (await detachVolume(suite.stack.core, suite.dev, { volume: "scratch-1" })).id);
  expect(detach.errorMessage).toBeNull();
  console.info(`[real-hypervisor] detach from a running VM ${Date.now() - started} ms`);
  expect(await liveDisk(domain, "vdb")).toBeNull();
  expect(await virsh(suite.real.uri, ["dumpxml", "--inactive", domain])).not.toContain(path ?? "?");
  expect((await getVm(suite.stack.core, suite.dev, { vm: "disks-1" })).state).toBe("Running");

  expect((await suite.stack.finish(suite.dev, (await deleteVolume(suite.stack.core, suite.dev, { volume: "scratch-1" })).id)).state).toBe("Succeeded");
  expect((await suite.stack.finish(suite.dev, (await destroyVm(suite.stack.core, suite.dev, { vm: "disks-1" })).id)).state).toBe("Succeeded");
  expect(await suite.real.objects()).toEqual({ domains: [], volumes: [] });
});
