import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import { auditedRead, READ_AUDIT_WINDOW_MS } from "./audited.ts";

const alice: TActor = { kind: "user", userId: "00000000-0000-4000-8000-000000000001", username: "alice", role: "User", via: "portal", origin: { clientAddr: "10.0.0.7" } };
const bob: TActor = { kind: "user", userId: "00000000-0000-4000-8000-000000000002", username: "bob", role: "User", via: "portal" };

/** Deps whose audit table is an array and whose clock the test moves. */
function fakeDeps() {
  const rows: Record<string, unknown>[] = [];
  let now = Date.parse("2026-11-27T10:00:00Z");
  const create = async ({ data }: { data: Record<string, unknown> }) => void rows.push(data);
  const deps = { db: { auditEntry: { create } }, log: pino({ level: "silent" }), now: () => new Date(now) } as unknown as CoreDeps;
  return { deps, rows, advance: (ms: number) => void (now += ms) };
}

describe("auditedRead", () => {
  it("records a polled read once per actor, origin and target within the window, and again after it", async () => {
    const { deps, rows, advance } = fakeDeps();
    const getVm = auditedRead("vm.get", async (_d: CoreDeps, _a: TActor, input: { vm: string }) => ({ id: `id-${input.vm}` }), { type: "vm", field: "vm" });
    for (let poll = 0; poll < 5; poll++) {
      expect(await getVm(deps, alice, { vm: "web-1" })).toEqual({ id: "id-web-1" });
      advance(2000);
    }
    await getVm(deps, alice, { vm: "web-2" });
    await getVm(deps, bob, { vm: "web-1" });
    advance(READ_AUDIT_WINDOW_MS);
    await getVm(deps, alice, { vm: "web-1" });
    expect(rows.map((r) => [r["actorName"], r["targetName"], r["outcome"]])).toEqual([
      ["alice", "web-1", "ok"],
      ["alice", "web-2", "ok"],
      ["bob", "web-1", "ok"],
      ["alice", "web-1", "ok"],
    ]);
  });

  it("records every refusal, even within the window of a recorded read", async () => {
    const { deps, rows } = fakeDeps();
    let refuse = false;
    const listVms = auditedRead("vm.list", async (_d: CoreDeps, _a: TActor) => {
      if (refuse) throw new CarveError("INVALID_INPUT", "limit: must be at least 1");
      return [];
    });
    await listVms(deps, alice);
    refuse = true;
    await expect(listVms(deps, alice)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(listVms(deps, alice)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(rows.map((r) => [r["action"], r["outcome"], r["errorCode"]])).toEqual([
      ["vm.list", "ok", null],
      ["vm.list", "refused", "INVALID_INPUT"],
      ["vm.list", "refused", "INVALID_INPUT"],
    ]);
  });
});
