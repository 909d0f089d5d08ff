import { expect, it } from "vitest";
import { cancelHostMaintenance, createOffering, createVm, declareHostDead, destroyVm, getVm, prepareHostMaintenance, recreateVm, removeHost, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { TINY_BOOT_MARKER } from "../lib/hypervisor/tiny-image.ts";
import { useTwoRealHostsSuite, type TTwoRealHosts } from "../lib/hypervisor/two-hosts.ts";
import { virsh } from "../lib/hypervisor/virsh.ts";
import { until, type Stack } from "../lib/stack/stack.ts";

let stack: Stack;
let admin: TActor;
let dev: TActor;
let two: TTwoRealHosts;

useTwoRealHostsSuite(async (suite) => {
  ({ stack, admin, dev, two } = suite);
  // Where root disks go is an offering setting with no front door yet: set it directly.
  for (const [name, rootScope] of [["tiny-on-shared", "Shared"], ["tiny-on-local", "Local"]] as const) {
    await createOffering(stack.core, admin, { name, vcpus: 1, memoryMiB: 128, rootDiskGiB: 1 });
    await stack.core.db.serviceOffering.update({ where: { name }, data: { rootScope } });
  }
});

it("a host killed for good is declared dead: its shared-disk VM boots on the other host, its local-disk VM is Lost and is re-created", async () => {
  const [a, b] = two.hosts;
  const core = stack.core;
  // Both VMs on host a: b is in maintenance while they are created.
  expect((await stack.finish(admin, (await prepareHostMaintenance(core, admin, { host: b.host.name })).job.id)).state).toBe("Succeeded");
  const ha = await createVm(core, dev, { name: "ha-1", template: "tiny", offering: "tiny-on-shared" });
  const lost = await createVm(core, dev, { name: "lost-1", template: "tiny", offering: "tiny-on-local" });
  for (const { job } of [ha, lost]) expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
  await cancelHostMaintenance(core, admin, { host: b.host.name });
  for (const name of ["ha-1", "lost-1"]) expect((await getVm(core, admin, { vm: name })).host?.id).toBe(a.host.id);
  await waitForConsoleLine(a.consoleLog(ha.vm.id), TINY_BOOT_MARKER, 90_000);

  // Host a dies for good: its agent, then its libvirtd with its guests (powered off).
  await stack.agents.get(a.host.id)?.stop();
  await a.daemon.stop();
  const early = await declareHostDead(core, admin, { host: a.host.name, confirm: a.host.name }).catch((e: unknown) => e);
  expect(early).toMatchObject({ code: "HOST_ALIVE" });
  const silent = performance.now();
  await until(async () => (await core.db.host.findUniqueOrThrow({ where: { id: a.host.id } })).state === "Disconnected", 90_000, `${a.host.name} to be Disconnected`);

  const declared = await declareHostDead(core, admin, { host: a.host.name, confirm: a.host.name });
  console.info(`[host dead] declared ${Math.round(performance.now() - silent)} ms after the host fell silent: ${declared.vms.map((v) => `${v.name} ${v.outcome}`).join(", ")}`);
  expect(declared.vms.map((v) => [v.name, v.outcome, v.host])).toEqual([
    ["ha-1", "restarting", b.host.name],
    ["lost-1", "lost", undefined],
  ]);
  const [restart] = declared.jobs;
  if (!restart) throw new Error("no restart job");
  const restarted = await stack.finish(admin, restart.id, 120_000);
  expect(restarted.state, restarted.errorMessage ?? "").toBe("Succeeded");
  expect(await getVm(core, dev, { vm: "ha-1" })).toMatchObject({ state: "Running", host: { id: b.host.id } });
  expect(await virsh(b.uri, ["domstate", domainName(ha.vm.id)])).toBe("running");
  const booted = await waitForConsoleLine(b.consoleLog(ha.vm.id), TINY_BOOT_MARKER, 90_000);
  console.info(`[host dead] ha-1 booted on ${b.host.name} from its shared disk: ${booted.line}`);

  const gone = await getVm(core, dev, { vm: "lost-1" });
  expect(gone.state).toBe("Lost");
  expect(gone.stateReason).toContain("'carve vm recreate lost-1'");
  const again = await recreateVm(core, dev, { vm: "lost-1" });
  expect((await stack.finish(dev, again.job.id)).state).toBe("Succeeded");
  expect(await getVm(core, dev, { vm: "lost-1" })).toMatchObject({ state: "Running", host: { id: b.host.id }, ipAddress: gone.ipAddress });
  await waitForConsoleLine(b.consoleLog(again.vm.id), TINY_BOOT_MARKER, 90_000);

  for (const name of ["ha-1", "lost-1"]) expect((await stack.finish(dev, (await destroyVm(core, dev, { vm: name })).id)).state).toBe("Succeeded");
  expect(await removeHost(core, admin, { host: a.host.name })).toMatchObject({ state: "Removed" });
});
