import { PROTOCOL_VERSION } from "@carve/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { refreshHostStates } from "../hosts/refresh-host-states.ts";
import type { TActor } from "../identity/actor.ts";
import { setUserEnabled } from "../identity/set-user-enabled.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createTestCore, createTestUser, refusal, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { migrateVm } from "../vms/move/migrate-vm.ts";
import { stopVm } from "../vms/stop-vm.ts";
import { checkConsoleSession } from "./check-console-session.ts";
import { openConsole } from "./open-console.ts";
import { redeemConsoleToken } from "./redeem-console-token.ts";

let core: TTestCore;
let clock: number;
beforeEach(async () => {
  core = await createTestCore();
  clock = Date.now();
  core.now = () => new Date(clock);
});
afterEach(async () => {
  await core.drop();
});

const LAPTOP = "198.51.100.7";
/** alice as the portal and the REST API see her: from her laptop. */
const fromLaptop = (actor: Extract<TActor, { kind: "user" }>): TActor => ({ ...actor, via: "api", origin: { clientAddr: LAPTOP } });

/** Two Up hosts that take live migrations, alice's Running VM web-1 on one of them (`here`; the other is `there`), bob and an admin. */
async function runningVm() {
  const alice = await createTestUser(core, "alice");
  const bob = await createTestUser(core, "bob");
  const admin = await createTestUser(core, "ops", "Admin");
  const { hosts } = await seedInfra(core, { hosts: 2, uriOf: (i) => `qemu:///h${i}` });
  for (const h of hosts) {
    core.queues.heartbeats.set(h.host.id, {
      at: new Date(clock).toISOString(),
      hostname: "h",
      cpus: 8,
      memoryMiB: 16384,
      agentVersion: "test",
      protocolVersion: PROTOCOL_VERSION,
      pools: [],
      migration: { uri: `qemu+tcp://${h.host.id.slice(0, 8)}/system`, address: "tcp://10.0.0.9", consoleLogDir: "/var/log/carve/console" },
    });
  }
  await refreshHostStates(core, { graceMs: 10_000 });
  const { vm, job } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
  core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: "/p/x.qcow2" } });
  await sweepJobs(core);
  const { hostId } = await core.db.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { hostId: true } });
  const here = hosts.find((h) => h.host.id === hostId)?.host;
  const there = hosts.find((h) => h.host.id !== hostId)?.host;
  if (!here || !there) throw new Error("web-1 was placed on no host");
  return { alice, bob, admin, vm, here, there };
}

const redeem = (token: string, userId: string, address = LAPTOP) => redeemConsoleToken(core, { token, client: { address, userId } });

describe("openConsole and redeemConsoleToken", () => {
  it("gives the owner a one-time link for 60 s that the proxy redeems once, from her computer, for her VM's display", async () => {
    const { alice, vm, here } = await runningVm();
    const link = await openConsole(core, fromLaptop(alice), { vm: "web-1" });
    expect(link.path).toBe(`/vms/${vm.id}/console?kind=vnc#token=${link.token}`);
    expect(link.token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(link.expiresAt.getTime() - clock).toBe(60_000);
    const stored = JSON.stringify(await core.db.consoleSession.findMany());
    expect(stored).not.toContain(link.token);
    const opened = await core.db.event.findFirstOrThrow({ where: { type: "console.opened", vmId: vm.id } });
    expect(opened.message).toBe(`alice asked for the graphical console of web-1 on ${here.name} (for ${LAPTOP})`);

    const redeemed = await redeem(link.token, alice.userId);
    expect(redeemed).toMatchObject({ vmId: vm.id, vmName: "web-1", hostId: here.id, domainName: `carve-${vm.id}`, kind: "vnc", userId: alice.userId });
    expect(await checkConsoleSession(core, redeemed.sessionId)).toEqual({ open: true });
    expect(await core.db.event.count({ where: { type: "console.connected", vmId: vm.id } })).toBe(1);

    const again = await refusal(redeem(link.token, alice.userId));
    expect(again.code).toBe("CONSOLE_TOKEN_USED");
  });

  it("refuses a forged, an expired, another computer's and another user's link, each saying what to do", async () => {
    const { alice, bob, admin } = await runningVm();
    expect((await refusal(redeem("A".repeat(43), alice.userId))).code).toBe("CONSOLE_TOKEN_INVALID");
    expect((await refusal(redeem("not a token", alice.userId))).code).toBe("CONSOLE_TOKEN_INVALID");

    const late = await openConsole(core, fromLaptop(alice), { vm: "web-1" });
    clock += 61_000;
    const expired = await refusal(redeem(late.token, alice.userId));
    expect(expired.code).toBe("CONSOLE_TOKEN_EXPIRED");
    expect(expired.message).toMatch(/60 seconds/);

    const link = await openConsole(core, fromLaptop(alice), { vm: "web-1", kind: "serial" });
    const elsewhere = await refusal(redeem(link.token, alice.userId, "203.0.113.9"));
    expect(elsewhere.code).toBe("CONSOLE_TOKEN_OTHER_CLIENT");
    expect(elsewhere.message).toContain(`made for another computer (${LAPTOP}) and opened from 203.0.113.9`);
    const stolen = await refusal(redeem(link.token, bob.userId));
    expect(stolen.code).toBe("CONSOLE_TOKEN_OTHER_USER");
    // Neither refusal used the link up: alice still opens her console with it.
    expect((await redeem(link.token, alice.userId)).kind).toBe("serial");

    // bob cannot even ask for it; an admin can, and can open alice's own link.
    expect((await refusal(openConsole(core, fromLaptop(bob), { vm: "web-1" }))).code).toBe("VM_NOT_FOUND");
    const forAdmin = await openConsole(core, fromLaptop(admin), { vm: "web-1" });
    expect((await redeem(forAdmin.token, admin.userId)).userId).toBe(admin.userId);
    const alices = await openConsole(core, fromLaptop(alice), { vm: "web-1" });
    expect((await redeem(alices.token, admin.userId)).userId).toBe(alice.userId);
  });

  it("makes a link any computer may use when the request came from no browser (Slack, the CLI on the server)", async () => {
    const { alice } = await runningVm();
    const link = await openConsole(core, alice, { vm: "web-1" });
    expect((await redeem(link.token, alice.userId, "192.0.2.44")).vmName).toBe("web-1");
  });

  it("refuses a VM that is not Running and a host that is not Up, naming the fix", async () => {
    const { alice, vm, here: host } = await runningVm();
    await core.db.host.update({ where: { id: host.id }, data: { state: "Disconnected" } });
    const silent = await refusal(openConsole(core, alice, { vm: "web-1" }));
    expect(silent.code).toBe("CONSOLE_UNAVAILABLE");
    expect(silent.message).toBe(`VM web-1's host ${host.name} is Disconnected: Carve cannot reach its console there now. Try again when the host is Up, or ask an admin.`);
    await core.db.host.update({ where: { id: host.id }, data: { state: "Up" } });

    const stop = await stopVm(core, alice, { vm: "web-1" });
    core.queues.settle(stop.id, { result: { vmId: vm.id, state: "stopped" } });
    await sweepJobs(core);
    const stopped = await refusal(openConsole(core, alice, { vm: "web-1" }));
    expect(stopped.code).toBe("INVALID_STATE");
    expect(stopped.message).toBe("VM web-1 is Stopped: start it to use its console.");
  });

  it("refuses a read-only API key: a console types into the VM", async () => {
    const { alice } = await runningVm();
    expect((await refusal(openConsole(core, { ...alice, scope: "Read" }, { vm: "web-1" }))).code).toBe("FORBIDDEN");
  });
});

describe("ending console sessions", () => {
  it("ends the VM's sessions and unused links when it stops, with the reason the page shows", async () => {
    const { alice, vm } = await runningVm();
    const open = await redeem((await openConsole(core, fromLaptop(alice), { vm: "web-1" })).token, alice.userId);
    const unused = await openConsole(core, fromLaptop(alice), { vm: "web-1" });
    const stop = await stopVm(core, alice, { vm: "web-1" });
    // Shutting down is still worth watching on the console.
    expect(await checkConsoleSession(core, open.sessionId)).toEqual({ open: true });
    core.queues.settle(stop.id, { result: { vmId: vm.id, state: "stopped" } });
    await sweepJobs(core);
    expect(await checkConsoleSession(core, open.sessionId)).toEqual({ open: false, reason: "web-1 is Stopped" });
    const ended = await refusal(redeem(unused.token, alice.userId));
    expect(ended.code).toBe("CONSOLE_SESSION_ENDED");
    expect(ended.message).toMatch(/web-1 is Stopped/);
    expect((await core.db.event.findFirstOrThrow({ where: { type: "console.ended", vmId: vm.id } })).message).toBe("2 console sessions ended: web-1 is Stopped");
  });

  it("ends them when the VM live-migrates (a new link reaches the new host), not when a migration fails", async () => {
    const { alice, admin, vm, there } = await runningVm();
    const first = await redeem((await openConsole(core, fromLaptop(alice), { vm: "web-1" })).token, alice.userId);
    const failed = await migrateVm(core, admin, { vm: "web-1", host: there.name });
    core.queues.settle(failed.id, { reason: "live migration was aborted" });
    await sweepJobs(core);
    expect(await checkConsoleSession(core, first.sessionId)).toEqual({ open: true });

    const job = await migrateVm(core, admin, { vm: "web-1", host: there.name });
    const root = await core.db.volume.findFirstOrThrow({ where: { vmId: vm.id } });
    core.queues.settle(job.id, { result: { vmId: vm.id, state: "running", durationMs: 2400, diskPaths: [{ volumeId: root.id, path: "/b/root.qcow2" }] } });
    await sweepJobs(core);
    expect(await checkConsoleSession(core, first.sessionId)).toEqual({ open: false, reason: "web-1 moved to another host" });
    const next = await redeem((await openConsole(core, fromLaptop(alice), { vm: "web-1" })).token, alice.userId);
    expect(next.hostId).toBe(there.id);
  });

  it("ends a user's consoles when the account is disabled", async () => {
    const { alice, admin } = await runningVm();
    const open = await redeem((await openConsole(core, fromLaptop(alice), { vm: "web-1" })).token, alice.userId);
    await setUserEnabled(core, admin, { user: "alice", enabled: false });
    expect(await checkConsoleSession(core, open.sessionId)).toEqual({ open: false, reason: "its user's account was disabled" });
  });
});
