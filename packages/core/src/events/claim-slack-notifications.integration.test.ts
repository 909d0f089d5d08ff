import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { claimSlackNotifications } from "./claim-slack-notifications.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const claim = () => claimSlackNotifications(core, { settleMs: 0 });

describe("Slack notifications", () => {
  it("owes the owner unexpected VM changes and the job's user its failures; nothing routine, nothing for unlinked users, nothing from before", async () => {
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    await core.db.user.update({ where: { id: alice.userId }, data: { slackUserId: "U0ALICE" } });
    await seedInfra(core);
    const { vm, job } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    const bobs = await createVm(core, bob, { name: "b-1", template: "tiny", offering: "small" });
    expect(await claim()).toEqual([]); // starts at the newest event: the creates above are history

    const event = (data: { vmId: string; type?: string; jobId?: string; actorId?: string; toState: string; message: string }) =>
      core.db.event.create({ data: { type: "vm.state", ...data } });
    await event({ vmId: vm.id, jobId: job.id, toState: "Running", message: "web-1 is Running" });
    await event({ vmId: vm.id, toState: "Unknown", message: "host-1 stopped answering" });
    await event({ vmId: vm.id, type: "vm.reconciled", jobId: job.id, toState: "Stopped", message: "web-1: Unknown → Stopped" });
    await event({ vmId: vm.id, actorId: alice.userId, toState: "Stopping", message: "stop requested" });
    await event({ vmId: bobs.vm.id, toState: "Unknown", message: "host-1 stopped answering" });
    const failed = await createVm(core, alice, { name: "web-2", template: "tiny", offering: "small" });
    await core.db.job.update({ where: { id: failed.job.id }, data: { state: "Failed", errorMessage: "disk full" } });
    await event({ vmId: failed.vm.id, jobId: failed.job.id, toState: "Error", message: "create of web-2 failed: disk full" });

    const owed = await claim();
    expect(owed.map((n) => [n.slackUserId, n.kind, n.vmName, n.toState, n.message])).toEqual([
      ["U0ALICE", "vm-changed", "web-1", "Unknown", "host-1 stopped answering"],
      ["U0ALICE", "vm-changed", "web-1", "Stopped", "web-1: Unknown → Stopped"],
      ["U0ALICE", "job-failed", "web-2", "Error", "create of web-2 failed: disk full"],
    ]);
    expect(await claim()).toEqual([]);
  });

  it("gives each notification to one of several replicas claiming at once", async () => {
    const alice = await createTestUser(core, "alice");
    await core.db.user.update({ where: { id: alice.userId }, data: { slackUserId: "U0ALICE" } });
    await seedInfra(core);
    const { vm } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    await claim();
    await core.db.event.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ type: "vm.state", vmId: vm.id, toState: "Unknown", message: `change ${i}` })) });
    const rounds = await Promise.all(Array.from({ length: 4 }, () => claim()));
    const messages = rounds.flat().map((n) => n.message);
    expect(messages.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `change ${i}`).sort());
  });
});
