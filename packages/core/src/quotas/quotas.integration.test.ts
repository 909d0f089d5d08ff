import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { planVm } from "../vms/plan-vm.ts";
import { getQuota } from "./get-quota.ts";
import { listQuotas } from "./list-quotas.ts";
import { setQuota } from "./set-quota.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

describe("quotas", () => {
  it("refuses with QUOTA_EXCEEDED naming the limit, the use and the request, and reserves nothing", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    await setQuota(core, admin, { user: "alice", maxVcpus: 5 });
    await createVm(core, alice, { name: "one", template: "tiny", offering: "large" });
    const before = await core.db.host.findMany();
    const error = (await createVm(core, alice, { name: "two", template: "tiny", offering: "large" }).catch((e: CarveError) => e)) as CarveError;
    expect(error.code).toBe("QUOTA_EXCEEDED");
    expect(error.message).toBe(
      "This would exceed your quota (user alice) for vCPUs: limit 5, in use 4, this request 4. Destroy VMs you no longer need, choose a smaller offering, or ask an admin to raise the quota.",
    );
    expect(error.details).toMatchObject({ resource: "vcpus", limit: 5, use: 4, request: 4 });
    expect(await core.db.vm.count()).toBe(1);
    expect(await core.db.host.findMany()).toEqual(before);
    // A dry run says the same.
    expect((await planVm(core, alice, { name: "two", template: "tiny", offering: "large" })).message).toBe(error.message);
    expect(await getQuota(core, alice)).toEqual([
      { scope: "user alice", limits: { vms: null, vcpus: 5, memoryMiB: null, storageGiB: null }, use: { vms: 1, vcpus: 4, memoryMiB: 4096, storageGiB: 1 } },
    ]);
  });

  it("a group quota counts every member, and concurrent requests cannot slip under it", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    await seedInfra(core);
    const team = await core.db.group.create({ data: { name: "team-a", isTeam: true } });
    await core.db.groupMember.createMany({ data: [alice, bob].map((u) => ({ userId: u.userId, groupId: team.id })) });
    await setQuota(core, admin, { group: "team-a", maxVms: 3 });
    const results = await Promise.allSettled(
      [alice, bob, alice, bob, alice, bob].map((u, i) => createVm(core, u, { name: `t-${i}`, template: "tiny", offering: "small" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results) if (r.status === "rejected") expect((r.reason as CarveError).message).toContain("the quota of group team-a for VMs: limit 3");
  });

  it("only admins set quotas, and users see only their own", async () => {
    const alice = await createTestUser(core, "alice");
    await createTestUser(core, "bob");
    expect(await setQuota(core, alice, { user: "alice", maxVms: 100 }).catch((e: CarveError) => e.code)).toBe("FORBIDDEN");
    expect(await getQuota(core, alice, "bob").catch((e: CarveError) => e.code)).toBe("FORBIDDEN");
    const admin = await createTestUser(core, "root", "Admin");
    expect(await setQuota(core, admin, { maxVms: 1 }).catch((e: CarveError) => e.fields[0]?.field)).toBe("user");
  });
});

describe("listQuotas", () => {
  it("lists every quota that is set, users' then groups', with its owners' current use; admins only", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    await seedInfra(core);
    const team = await core.db.group.create({ data: { name: "platform", isTeam: true, members: { create: [{ userId: alice.userId }, { userId: bob.userId }] } } });
    expect(await listQuotas(core, admin)).toEqual([]);
    await setQuota(core, admin, { user: "bob", maxVcpus: 8, maxMemMiB: 8192 });
    await setQuota(core, admin, { user: "alice", maxVms: 2 });
    await setQuota(core, admin, { group: team.name, maxVcpus: 10 });
    await createVm(core, alice, { name: "a", template: "tiny", offering: "large" });
    await createVm(core, bob, { name: "b", template: "tiny", offering: "small" });

    expect(await listQuotas(core, admin)).toEqual([
      { kind: "user", name: "alice", scope: "user alice", limits: { vms: 2, vcpus: null, memoryMiB: null, storageGiB: null }, use: { vms: 1, vcpus: 4, memoryMiB: 4096, storageGiB: 1 } },
      { kind: "user", name: "bob", scope: "user bob", limits: { vms: null, vcpus: 8, memoryMiB: 8192, storageGiB: null }, use: { vms: 1, vcpus: 1, memoryMiB: 512, storageGiB: 1 } },
      { kind: "group", name: "platform", scope: "group platform", limits: { vms: null, vcpus: 10, memoryMiB: null, storageGiB: null }, use: { vms: 2, vcpus: 5, memoryMiB: 4608, storageGiB: 2 } },
    ]);
    // The same use as each user sees on their own quota.
    expect((await getQuota(core, alice))[0]).toMatchObject({ scope: "user alice", use: { vcpus: 4 } });
    expect(((await listQuotas(core, alice).catch((e: CarveError) => e)) as CarveError).code).toBe("FORBIDDEN");
    expect(((await listQuotas(core, admin, { user: "alice" }).catch((e: CarveError) => e)) as CarveError).code).toBe("INVALID_INPUT");
  });
});
