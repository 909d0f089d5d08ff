import { randomBytes } from "node:crypto";
import { newJoinKeyPair, openSealed, SEAL_PURPOSE_JOB_SECRET, ZSealed } from "@carve/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { withIdentity } from "../identity/identity-options.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { addSshKey } from "../ssh-keys/add-ssh-key.ts";
import { listSshKeys } from "../ssh-keys/list-ssh-keys.ts";
import { removeSshKey } from "../ssh-keys/remove-ssh-key.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "./create-vm.ts";
import { getVm } from "./get-vm.ts";
import { pruneExpiredPasswordReveals } from "./password-reveals.ts";
import { resetVmPassword } from "./reset-vm-password.ts";
import { revealVmPassword } from "./reveal-vm-password.ts";

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICyFATPv1+3bazrTlNUFlORc3c5smPOocK6U7Tpr7Jed me@x";

let core: TTestCore;
/** How far the test has moved core's clock ahead. */
let aheadMs: number;
const hostKey = newJoinKeyPair();
beforeEach(async () => {
  core = await createTestCore();
  aheadMs = 0;
  core.now = () => new Date(Date.now() + aheadMs);
});
afterEach(async () => {
  await core.drop();
});

/** A Running VM of alice's on a template with the given guest features; hosts know the agent key. */
async function runningVm(features: { supportsPasswordReset?: boolean; supportsCloudInit?: boolean } = { supportsPasswordReset: true }) {
  const deps = withIdentity(core, { secretKey: randomBytes(32) });
  const alice = await createTestUser(core, "alice");
  const infra = await seedInfra(core, { hosts: 1 });
  await core.db.template.update({ where: { id: infra.template.id }, data: features });
  await core.db.host.updateMany({ data: { sealKey: hostKey.publicKey } });
  const { vm, job } = await createVm(deps, alice, { name: "web-1", template: "tiny", offering: "small" });
  core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: "/p/x.qcow2" } });
  await sweepJobs(core);
  return { deps, alice, vm };
}

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof CarveError)) throw new Error(`expected a CarveError, got ${String(error)}`);
  return error;
}

describe("password reset and reveal", () => {
  it("seals the password to the host's key in the job, shows it once after the job succeeded, and never again", async () => {
    const { deps, alice, vm } = await runningVm();
    const reset = await resetVmPassword(deps, alice, { vm: "web-1" });
    expect(reset.user).toBe("root");
    const sent = core.queues.jobs.get(reset.job.id);
    expect(sent?.name).toBe("vm.set-password");
    const payload = sent?.envelope.payload as { vmId: string; user: string; password: unknown };
    const password = openSealed(hostKey.privateKey, ZSealed.parse(payload.password), SEAL_PURPOSE_JOB_SECRET);
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);

    expect((await refusal(revealVmPassword(deps, alice, { revealId: reset.revealId }))).code).toBe("PASSWORD_NOT_READY");
    core.queues.settle(reset.job.id, { result: { vmId: vm.id, user: "root" } });
    await sweepJobs(core);
    expect((await getVm(core, alice, { vm: "web-1" })).state).toBe("Running");

    const shown = await revealVmPassword(deps, alice, { vm: "web-1" });
    expect(shown).toEqual({ vmId: vm.id, vmName: "web-1", user: "root", password });
    const again = await refusal(revealVmPassword(deps, alice, { revealId: reset.revealId }));
    expect(again.code).toBe("PASSWORD_NOT_AVAILABLE");
    expect(again.message).toMatch(/shown only once/);

    const rows = JSON.stringify([await core.db.job.findMany(), await core.db.event.findMany({ select: { message: true, data: true } })]);
    expect(rows).not.toContain(password);
  });

  it("refuses a template without password reset support, naming what it needs", async () => {
    const { deps, alice } = await runningVm({ supportsPasswordReset: false });
    const error = await refusal(resetVmPassword(deps, alice, { vm: "web-1" }));
    expect(error.code).toBe("GUEST_FEATURE_UNSUPPORTED");
    expect(error.message).toMatch(/template tiny does not support password reset.*qemu-guest-agent/);
    expect(core.queues.byName("vm.set-password")).toHaveLength(0);
  });

  it("discards the password of a failed job and of an expired reveal; the controller's prune deletes expired ones", async () => {
    const { deps, alice, vm } = await runningVm();
    const failed = await resetVmPassword(deps, alice, { vm: "web-1" });
    core.queues.settle(failed.job.id, { reason: "the guest agent of carve-x did not answer: its template must have qemu-guest-agent installed" });
    await sweepJobs(core);
    const refused = await refusal(revealVmPassword(deps, alice, { revealId: failed.revealId }));
    expect(refused.message).toMatch(/was not changed.*qemu-guest-agent/);
    expect(await core.db.passwordReveal.count()).toBe(0);

    const older = await resetVmPassword(deps, alice, { vm: vm.id, user: "debian" });
    core.queues.settle(older.job.id, { result: { vmId: vm.id, user: "debian" } });
    await sweepJobs(core);
    const late = await resetVmPassword(deps, alice, { vm: vm.id, user: "debian" });
    // A new reset supersedes the password still waiting: one waits, never two.
    expect(await core.db.passwordReveal.count()).toBe(1);
    expect((await refusal(revealVmPassword(deps, alice, { revealId: older.revealId }))).code).toBe("PASSWORD_NOT_AVAILABLE");
    core.queues.settle(late.job.id, { result: { vmId: vm.id, user: "debian" } });
    await sweepJobs(core);
    aheadMs += 10 * 60_000 + 1_000;
    expect((await refusal(revealVmPassword(deps, alice, { revealId: late.revealId }))).code).toBe("PASSWORD_NOT_AVAILABLE");

    const pruned = await resetVmPassword(deps, alice, { vm: "web-1" });
    expect(await core.db.passwordReveal.count()).toBe(1);
    aheadMs += 10 * 60_000 + 1_000;
    expect(await pruneExpiredPasswordReveals(core)).toBe(1);
    expect(await core.db.passwordReveal.count()).toBe(0);
    expect(pruned.revealId).not.toBe(late.revealId);
  });

  it("shows a password only to the user who reset it; a stopped VM or a host without a key is refused clearly", async () => {
    const { deps, alice } = await runningVm();
    const admin = await createTestUser(core, "root-admin", "Admin");
    const reset = await resetVmPassword(deps, admin, { vm: "web-1" });
    expect((await refusal(revealVmPassword(deps, alice, { revealId: reset.revealId }))).code).toBe("PASSWORD_NOT_AVAILABLE");
    expect((await refusal(resetVmPassword(deps, alice, { vm: "web-1" }))).code).toBe("VM_BUSY");

    await core.db.vm.updateMany({ data: { activeJobId: null, state: "Stopped" } });
    expect((await refusal(resetVmPassword(deps, alice, { vm: "web-1" }))).message).toMatch(/it is Stopped.*Start it first/);
    await core.db.vm.updateMany({ data: { state: "Running" } });
    await core.db.host.updateMany({ data: { sealKey: null } });
    expect((await refusal(resetVmPassword(deps, alice, { vm: "web-1" }))).code).toBe("HOST_KEY_UNKNOWN");
    expect((await refusal(resetVmPassword(core, alice, { vm: "web-1" }))).message).toMatch(/CARVE_SECRET_KEY/);
  });
});

describe("SSH keys and the cloud-init payload", () => {
  it("adds, lists and removes the user's keys; duplicates are refused by name and by key", async () => {
    const alice = await createTestUser(core, "alice");
    const added = await addSshKey(core, alice, { name: "laptop", publicKey: ED25519 });
    expect(added.fingerprint).toBe("SHA256:tGaGtZfx4RP19sL0MHfFe2wWuJyFkvlEEPfzkFZwi9I");
    expect((await refusal(addSshKey(core, alice, { name: "laptop", publicKey: ED25519.replace("me@x", "") }))).fields).toEqual([
      { field: "name", message: "is already used by one of your keys: choose another" },
    ]);
    expect((await refusal(addSshKey(core, alice, { name: "other", publicKey: ED25519 }))).message).toMatch(/already stored as 'laptop'/);
    const bad = await refusal(addSshKey(core, alice, { name: "bad", publicKey: "ssh-rsa AAAA" }));
    expect(bad.fields[0]?.field).toBe("publicKey");
    expect((await listSshKeys(core, alice)).map((k) => k.name)).toEqual(["laptop"]);
    await removeSshKey(core, alice, { key: "laptop" });
    expect(await listSshKeys(core, alice)).toEqual([]);
    expect((await refusal(removeSshKey(core, alice, { key: "laptop" }))).code).toBe("SSH_KEY_NOT_FOUND");
  });

  it("puts the chosen keys, the hostname and a sealed first password into a cloud-init template's create job", async () => {
    const deps = withIdentity(core, { secretKey: randomBytes(32) });
    const alice = await createTestUser(core, "alice");
    const infra = await seedInfra(core, { hosts: 1 });
    await core.db.host.updateMany({ data: { sealKey: hostKey.publicKey } });
    await addSshKey(core, alice, { name: "laptop", publicKey: ED25519 });

    const refused = await refusal(createVm(deps, alice, { name: "plain", template: "tiny", offering: "small", sshKeys: ["laptop"] }));
    expect(refused.code).toBe("GUEST_FEATURE_UNSUPPORTED");
    expect(refused.message).toMatch(/Template tiny does not support cloud-init/);

    await core.db.template.update({ where: { id: infra.template.id }, data: { supportsCloudInit: true } });
    expect((await refusal(createVm(deps, alice, { name: "web-2", template: "tiny", offering: "small", sshKeys: ["desktop"] }))).code).toBe("SSH_KEY_NOT_FOUND");
    const { job, passwordReveal } = await createVm(deps, alice, { name: "web-2", template: "tiny", offering: "small", sshKeys: ["laptop"], firstPassword: true });
    const payload = core.queues.jobs.get(job.id)?.envelope.payload as { cloudInit: { hostname: string; sshAuthorizedKeys: string[]; password: unknown } };
    expect(payload.cloudInit).toMatchObject({ hostname: "web-2", sshAuthorizedKeys: [ED25519], passwordUser: "root" });
    const first = openSealed(hostKey.privateKey, ZSealed.parse(payload.cloudInit.password), SEAL_PURPOSE_JOB_SECRET);
    expect(passwordReveal).not.toBeNull();
    const vmId = (await core.db.vm.findFirstOrThrow({ where: { name: "web-2" } })).id;
    core.queues.settle(job.id, { result: { vmId, domainUuid: vmId, state: "running", rootVolumePath: "/p/x.qcow2" } });
    await sweepJobs(core);
    expect((await revealVmPassword(deps, alice, { revealId: passwordReveal?.revealId })).password).toBe(first);
  });
});
