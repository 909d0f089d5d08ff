import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { createVm, destroyVm, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { useTwoRealHostsSuite, type TTwoRealHosts } from "../../lib/hypervisor/two-hosts.ts";
import { virsh } from "../../lib/hypervisor/virsh.ts";
import { until, type Stack } from "../../lib/stack/stack.ts";

let stack: Stack;
let dev: TActor;
let two: TTwoRealHosts;

useTwoRealHostsSuite(async (suite) => {
  ({ stack, dev, two } = suite);
  console.info(`[two hosts] two session daemons, pools and agents up in ${suite.upMs} ms`);
}, 180_000);

it("two session daemons act as two hosts: distinct host UUIDs, a VM boots on each and prints on its serial console", async () => {
  const [a, b] = two.hosts;
  expect(a.daemon.hostUuid).not.toBe(b.daemon.hostUuid);
  expect(await stack.core.db.host.count({ where: { state: "Up" } })).toBe(2);
  for (const h of two.hosts) {
    expect(await virsh(h.uri, ["pool-list", "--name"])).toContain(two.shared.pool.name);
  }
  const created = await Promise.all([0, 1].map((i) => createVm(stack.core, dev, { name: `two-${i}`, template: "tiny", offering: "tiny" })));
  const jobs = await Promise.all(created.map(({ job }) => stack.finish(dev, job.id)));
  expect(jobs.map((j) => j.state)).toEqual(["Succeeded", "Succeeded"]);
  for (const { vm } of created) {
    const row = await stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { hostId: true } });
    const host = two.hosts.find((h) => h.host.id === row.hostId);
    expect(host).toBeDefined();
    if (!host) continue;
    expect(await virsh(host.uri, ["domstate", domainName(vm.id)])).toBe("running");
    await until(async () => (await readFile(host.consoleLog(vm.id), "utf8").catch(() => "")).length > 0, 60_000, "the guest to print on its console");
  }
  await Promise.all(created.map(async ({ vm }) => stack.finish(dev, (await destroyVm(stack.core, dev, { vm: vm.id })).id)));
});
