import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { createOffering, createVm, destroyVm, getVm, migrateVm, startVm, stopVm, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { waitForConsoleLine } from "../../lib/hypervisor/console-log.ts";
import { TINY_BOOT_MARKER } from "../../lib/hypervisor/tiny-image.ts";
import { useTwoRealHostsSuite, type TTwoRealHosts } from "../../lib/hypervisor/two-hosts.ts";
import { virsh, virshMaybe } from "../../lib/hypervisor/virsh.ts";
import { until, type Stack } from "../../lib/stack/stack.ts";

let stack: Stack;
let admin: TActor;
let dev: TActor;
let two: TTwoRealHosts;

useTwoRealHostsSuite(async (suite) => {
  ({ stack, admin, dev, two } = suite);
  await createOffering(stack.core, admin, { name: "tiny-local-cold", vcpus: 1, memoryMiB: 128, rootDiskGiB: 1 });
  // Where root disks go is an offering setting with no front door yet: set it directly.
  await stack.core.db.serviceOffering.update({ where: { name: "tiny-local-cold" }, data: { rootScope: "Local" } });
});

it("a stopped VM with its root disk on its host's local pool moves to the other host with its disk (vm migrate) and boots there", async () => {
  const { vm, job } = await createVm(stack.core, dev, { name: "cold-1", template: "tiny", offering: "tiny-local-cold" });
  expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
  const created = await getVm(stack.core, admin, { vm: "cold-1" });
  const here = two.hosts.find((h) => h.host.id === created.host?.id);
  const there = two.hosts.find((h) => h.host.id !== created.host?.id);
  if (!here || !there) throw new Error("cold-1 is on no known host");
  await waitForConsoleLine(here.consoleLog(vm.id), TINY_BOOT_MARKER, 90_000);
  expect((await stack.finish(dev, (await stopVm(stack.core, dev, { vm: "cold-1", force: true })).id)).state).toBe("Succeeded");
  const root = await stack.core.db.volume.findFirstOrThrow({ where: { vmId: vm.id, kind: "Root" }, select: { path: true, poolId: true } });
  expect(root.poolId).toBe(here.carvePool.id);

  const started = performance.now();
  const parent = await migrateVm(stack.core, admin, { vm: "cold-1", host: there.host.name });
  expect(parent.kind).toBe("vm.cold-move");
  const done = await stack.finish(admin, parent.id, 120_000);
  console.info(`[cold move] ${here.host.name} → ${there.host.name} with its 1 GiB root overlay: request → Stopped on the target ${Math.round(performance.now() - started)} ms`);
  expect(done.state, done.errorMessage ?? "").toBe("Succeeded");
  // The source's old file is deleted once the VM belongs to the target (a last step, after the move ended).
  const cleanup = () => stack.core.db.job.findFirst({ where: { parentJobId: parent.id, kind: "volume.delete" }, select: { state: true } });
  await until(async () => (await cleanup())?.state === "Succeeded", 30_000, "the source's copy to be deleted");
  const steps = await stack.core.db.job.findMany({ where: { parentJobId: parent.id }, orderBy: { createdAt: "asc" }, select: { kind: true, state: true, hostId: true, result: true } });
  console.info(steps.map((s) => `${s.kind} ${s.state}`).join(", "));
  expect(steps.map((s) => s.kind)).toEqual(["volume.migrate", "vm.define", "vm.undefine", "volume.delete"]);
  expect(steps.every((s) => s.state === "Succeeded")).toBe(true);

  const moved = await getVm(stack.core, admin, { vm: "cold-1" });
  expect(moved).toMatchObject({ state: "Stopped", host: { id: there.host.id } });
  const after = await stack.core.db.volume.findFirstOrThrow({ where: { vmId: vm.id, kind: "Root" }, select: { path: true, poolId: true } });
  expect(after.poolId).toBe(there.carvePool.id);
  expect(after.path).toContain(there.pool.path);
  // The overlay now names the target pool's template copy as its backing file.
  const { stdout } = await promisify(execFile)("qemu-img", ["info", "--output=json", "-U", after.path ?? ""]);
  expect(JSON.parse(stdout)).toMatchObject({ "backing-filename": `${there.pool.path}/tiny.qcow2`, "backing-filename-format": "qcow2" });
  // Gone from the source: the domain and the old file.
  expect(await virshMaybe(here.uri, ["domstate", domainName(vm.id)])).toBeNull();
  await expect(access(root.path ?? "")).rejects.toThrow();

  expect((await stack.finish(dev, (await startVm(stack.core, dev, { vm: "cold-1" })).id)).state).toBe("Succeeded");
  expect(await virsh(there.uri, ["domstate", domainName(vm.id)])).toBe("running");
  const booted = await waitForConsoleLine(there.consoleLog(vm.id), TINY_BOOT_MARKER, 90_000);
  console.info(`[cold move] cold-1 booted on ${there.host.name} in ${booted.elapsedMs} ms: ${booted.line}`);
  await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: "cold-1" })).id);
});
