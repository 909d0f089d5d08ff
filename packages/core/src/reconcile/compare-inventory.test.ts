import { describe, expect, it } from "vitest";
import type { VmState } from "@carve/db";
import { compareInventory, type TElsewhereVm, type TPlacedVm, type TReportedDomain } from "./compare-inventory.ts";

const since = new Date("2026-11-27T10:00:00Z");
const before = new Date("2026-11-27T09:00:00Z");
const after = new Date("2026-11-27T10:00:05Z");
let next = 0;
const id = () => `00000000-0000-4000-8000-${String(++next).padStart(12, "0")}`;

function vm(state: VmState, extra: Partial<TPlacedVm> = {}): TPlacedVm {
  const vmId = extra.id ?? id();
  return { id: vmId, name: `vm-${vmId.slice(-3)}`, state, activeJobId: null, updatedAt: before, ...extra };
}
const dom = (v: { id: string }, state: TReportedDomain["state"]): TReportedDomain => ({ name: `carve-${v.id}`, uuid: v.id, state });

function compare(placed: TPlacedVm[], domains: TReportedDomain[], elsewhere: TElsewhereVm[] = []) {
  return compareInventory({ hostName: "host-1", placed, domains, since, elsewhere: new Map(elsewhere.map((e) => [e.id, e])) });
}

describe("compareInventory: the hypervisor wins", () => {
  it("corrects power state both ways and settles Unknown from what the host reports", () => {
    const stoppedButRunning = vm("Stopped");
    const runningButOff = vm("Running");
    const unknownRunning = vm("Unknown");
    const unknownOff = vm("Unknown");
    const agrees = vm("Running");
    const { corrections, drift } = compare(
      [stoppedButRunning, runningButOff, unknownRunning, unknownOff, agrees],
      [dom(stoppedButRunning, "running"), dom(runningButOff, "stopped"), dom(unknownRunning, "running"), dom(unknownOff, "stopped"), dom(agrees, "running")],
    );
    expect(corrections.map((c) => [c.vmId, c.from, c.to, c.reported])).toEqual([
      [stoppedButRunning.id, "Stopped", "Running", "running"],
      [runningButOff.id, "Running", "Stopped", "shut off"],
      [unknownRunning.id, "Unknown", "Running", "running"],
      [unknownOff.id, "Unknown", "Stopped", "shut off"],
    ]);
    expect(corrections[1]?.reason).toContain("host host-1 reports the domain shut off");
    expect(drift).toEqual([]);
  });

  it("puts a VM whose domain is missing in Error 'missing on host' and says what to do; an Error VM stays as it is", () => {
    const gone = vm("Running");
    const unknownGone = vm("Unknown");
    const alreadyError = vm("Error");
    const { corrections } = compare([gone, unknownGone, alreadyError], []);
    expect(corrections.map((c) => [c.vmId, c.to])).toEqual([
      [gone.id, "Error"],
      [unknownGone.id, "Error"],
    ]);
    expect(corrections[0]?.reason).toMatch(/^missing on host host-1: .*Destroy the VM to release/);
  });

  it("never touches a VM with a job in flight, in a transitional state, or changed after the inventory was asked for", () => {
    const busy = vm("Running", { activeJobId: id() });
    const creating = vm("Creating");
    const fresh = vm("Running", { updatedAt: after });
    const { corrections, drift } = compare([busy, creating, fresh], [dom(fresh, "stopped")]);
    expect(corrections).toEqual([]);
    expect(drift).toEqual([]);
  });

  it("leaves paused and other domains alone: Carve has no state for them", () => {
    const paused = vm("Unknown");
    expect(compare([paused], [dom(paused, "paused")]).corrections).toEqual([]);
  });

  it("lists every domain nobody owns as drift, saying why", () => {
    const strayId = id();
    const destroyed: TElsewhereVm = { id: id(), name: "old", state: "Destroyed", hostName: "host-1", updatedAt: before };
    const moved: TElsewhereVm = { id: id(), name: "web", state: "Running", hostName: "host-2", updatedAt: before };
    const justChanged: TElsewhereVm = { id: id(), name: "busy", state: "Destroyed", hostName: "host-1", updatedAt: after };
    const { drift } = compare(
      [],
      [
        { name: "windows-test", uuid: "u1", state: "running" },
        { name: `carve-${strayId}`, uuid: strayId, state: "stopped" },
        dom(destroyed, "stopped"),
        dom(moved, "running"),
        dom(justChanged, "running"),
      ],
      [destroyed, moved, justChanged],
    );
    expect(drift.map((d) => [d.domainName, d.vmId])).toEqual([
      ["windows-test", null],
      [`carve-${strayId}`, strayId],
      [`carve-${destroyed.id}`, destroyed.id],
      [`carve-${moved.id}`, moved.id],
    ]);
    expect(drift.map((d) => d.note)).toEqual([
      "windows-test on host-1 was not created by Carve.",
      expect.stringContaining(`this Carve has no VM ${strayId}`),
      expect.stringContaining("VM old, which was destroyed in Carve"),
      expect.stringContaining("VM web, which Carve places on host-2"),
    ]);
  });

  it("a destroyed VM placed on this host does not hide its leftover domain", () => {
    const old = vm("Destroyed");
    const { drift, corrections } = compare([old], [dom(old, "running")], [{ ...old, hostName: "host-1" }]);
    expect(corrections).toEqual([]);
    expect(drift.map((d) => d.vmId)).toEqual([old.id]);
  });
});
