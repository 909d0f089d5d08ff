import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import { audited } from "./audited.ts";

const alice: TActor = { kind: "user", userId: "00000000-0000-4000-8000-000000000001", username: "alice", role: "User", via: "portal", origin: { clientAddr: "10.0.0.7", requestId: "req-7" } };

/** Deps whose audit table is an array, or a table that refuses every write. */
function fakeDeps(failWrites = false) {
  const rows: Record<string, unknown>[] = [];
  const logged: string[] = [];
  const create = async ({ data }: { data: Record<string, unknown> }) => {
    if (failWrites) throw new Error("audit table is gone");
    rows.push(data);
    return data;
  };
  const log = pino({ level: "info" }, { write: (line: string) => logged.push(line) });
  const deps = { db: { auditEntry: { create } }, log, now: () => new Date("2026-11-27T10:00:00Z") } as unknown as CoreDeps;
  return { deps, rows, logged };
}

describe("audited", () => {
  it("records who, what, the target's name and id, where from, and ok", async () => {
    const { deps, rows } = fakeDeps();
    const startVm = audited("vm.start", async (_deps: CoreDeps, _actor: TActor, _input: unknown) => ({ id: "job-1", vmId: "vm-1" }), { type: "vm", field: "vm", id: (job) => job.vmId });
    expect(await startVm(deps, alice, { vm: "web-1", force: true })).toEqual({ id: "job-1", vmId: "vm-1" });
    expect(rows).toEqual([
      expect.objectContaining({ actorId: alice.kind === "user" ? alice.userId : null, actorName: "alice", via: "portal", clientAddr: "10.0.0.7", requestId: "req-7", action: "vm.start", targetType: "vm", targetId: "vm-1", targetName: "web-1", outcome: "ok", errorCode: null }),
    ]);
  });

  it("records a CarveError answered with a 4xx as refused and a 5xx or any other error as error, rethrowing it unchanged", async () => {
    const { deps, rows } = fakeDeps();
    const forbidden = new CarveError("FORBIDDEN", "no");
    const crash = new TypeError("boom");
    const refuse = audited("host.add", async (_d: CoreDeps, _a: TActor) => Promise.reject(forbidden));
    const busy = audited("host.list", async (_d: CoreDeps, _a: TActor) => Promise.reject(new CarveError("BUSY", "later")));
    const fail = audited("host.inspect", async (_d: CoreDeps, _a: TActor, _ref: string) => Promise.reject(crash), { type: "host" });
    await expect(refuse(deps, alice)).rejects.toBe(forbidden);
    await expect(busy(deps, alice)).rejects.toMatchObject({ code: "BUSY" });
    await expect(fail(deps, alice, "hv-1")).rejects.toBe(crash);
    expect(rows.map((r) => [r["action"], r["outcome"], r["errorCode"], r["targetName"]])).toEqual([
      ["host.add", "refused", "FORBIDDEN", null],
      ["host.list", "error", "BUSY", null],
      ["host.inspect", "error", "INTERNAL", "hv-1"],
    ]);
  });

  it("never records a string argument when the target says not to", async () => {
    const { deps, rows } = fakeDeps();
    const revoke = audited("apikey.revoke", async (_d: CoreDeps, _a: TActor, _ref: string) => ({ id: "key-1" }), { type: "api-key", field: null });
    await revoke(deps, alice, "carve_live_secretish");
    expect(rows[0]).toMatchObject({ targetId: "key-1", targetName: null });
  });

  it("keeps the use-case's answer when the audit write fails, and logs the failure without inputs", async () => {
    const { deps, logged } = fakeDeps(true);
    const createKey = audited("apikey.create", async (_d: CoreDeps, _a: TActor, _input: unknown) => ({ id: "key-2", key: "s3cret-key" }), { type: "api-key", field: "name" });
    expect(await createKey(deps, alice, { name: "ci" })).toEqual({ id: "key-2", key: "s3cret-key" });
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? "{}")).toMatchObject({ level: 50, action: "apikey.create", outcome: "ok", msg: "audit entry could not be written" });
    expect(logged.join("")).not.toContain("s3cret-key");
  });
});
