import { afterAll, beforeAll, expect, it } from "vitest";
import { attachVolume, createDiskOffering, createVm, createVolume, deleteVolume, destroyVm, detachVolume, getVm, resizeVolume, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { addRealHost } from "../lib/hypervisor/real-host.ts";
import { TINY_BOOT_MARKER } from "../lib/hypervisor/tiny-image.ts";
import { virsh } from "../lib/hypervisor/virsh.ts";
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
  await createDiskOffering(stack.core, admin, { name: "scratch", minSizeGiB: 1, maxSizeGiB: 4, scope: "Local" });
});

afterAll(async () => {
  await real?.cleanup.run();
  await stack?.stop();
});

const GIB = 1024 ** 3;
/** The disk at `target` in the running domain's live XML: its source file, or null. */
async function liveDisk(domain: string, target: string): Promise<string | null> {
  const xml = await virsh(real.uri, ["dumpxml", domain]);
  for (const disk of xml.split("</disk>")) {
    if (new RegExp(`<target dev=["']${target}["']`).test(disk)) return /<source file=["']([^"']+)["']/.exec(disk)?.[1] ?? null;
  }
  return null;
}

it("a data disk is hot-plugged into a RUNNING VM, grown live, and unplugged, on libvirtd + QEMU (TCG)", async () => {
  const { vm, job } = await createVm(stack.core, dev, { name: "disks-1", template: "tiny", offering: "tiny" });
  expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
  await waitForConsoleLine(real.consoleLog(vm.id), TINY_BOOT_MARKER, 60_000);
  const domain = domainName(vm.id);

  const created = await createVolume(stack.core, dev, { name: "scratch-1", diskOffering: "scratch", sizeGiB: 1, vm: "disks-1" });
  expect((await stack.finish(dev, created.job.id)).state).toBe("Succeeded");

  let started = Date.now();
  expect((await stack.finish(dev, (await attachVolume(stack.core, dev, { volume: "scratch-1", vm: "disks-1" })).id)).state).toBe("Succeeded");
  console.info(`[real-hypervisor] attach to a running VM ${Date.now() - started} ms`);
  const path = await liveDisk(domain, "vdb");
  expect(path).toMatch(new RegExp(`carve-${created.volume.id}\\.qcow2$`));
  expect((await getVm(stack.core, dev, { vm: "disks-1" })).state).toBe("Running");
  // Persistent too: the next boot keeps the disk.
  expect(await virsh(real.uri, ["dumpxml", "--inactive", domain])).toContain(path ?? "?");

  started = Date.now();
  expect((await stack.finish(dev, (await resizeVolume(stack.core, dev, { volume: "scratch-1", sizeGiB: 2 })).id)).state).toBe("Succeeded");
  console.info(`[real-hypervisor] live resize ${Date.now() - started} ms`);
  expect(await virsh(real.uri, ["domblkinfo", domain, "vdb"])).toMatch(new RegExp(`Capacity:\\s+${2 * GIB}`));

  started = Date.now();
  const detach = await stack.finish(dev, (await detachVolume(stack.core, dev, { volume: "scratch-1" })).id);
  expect(detach.errorMessage).toBeNull();
  console.info(`[real-hypervisor] detach from a running VM ${Date.now() - started} ms`);
  expect(await liveDisk(domain, "vdb")).toBeNull();
  expect(await virsh(real.uri, ["dumpxml", "--inactive", domain])).not.toContain(path ?? "?");
  expect((await getVm(stack.core, dev, { vm: "disks-1" })).state).toBe("Running");

  expect((await stack.finish(dev, (await deleteVolume(stack.core, dev, { volume: "scratch-1" })).id)).state).toBe("Succeeded");
  expect((await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: "disks-1" })).id)).state).toBe("Succeeded");
  expect(await real.objects()).toEqual({ domains: [], volumes: [] });
});
