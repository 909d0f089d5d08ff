import type { VmState } from "@carve/db";
import { domainName, vmIdFromDomainName } from "@carve/protocol";
import { TRANSITIONAL_STATES } from "../vms/vm-state-machine.ts";

/** A VM the database places on the inventoried host (any state but Destroyed). */
export interface TPlacedVm {
  id: string;
  name: string;
  state: VmState;
  activeJobId: string | null;
  updatedAt: Date;
}

/** A VM found through a Carve-named domain that is not placed on this host. */
export interface TElsewhereVm {
  id: string;
  name: string;
  state: VmState;
  hostName: string | null;
  updatedAt: Date;
}

export interface TReportedDomain {
  name: string;
  uuid: string;
  state: "running" | "stopped" | "paused" | "other";
}

export interface TCompareInput {
  hostName: string;
  /** VMs the database places on this host. */
  placed: readonly TPlacedVm[];
  /** VMs named by Carve domains on this host that the database does not place here, by id. */
  elsewhere: ReadonlyMap<string, TElsewhereVm>;
  domains: readonly TReportedDomain[];
  /** When the inventory was asked for: a VM changed after it may be newer than the report. */
  since: Date;
}

export type TReported = "running" | "shut off" | "missing";

export interface TCorrection {
  vmId: string;
  vmName: string;
  from: VmState;
  to: VmState;
  reported: TReported;
  /** Why, in words the VM's owner reads (also the VM's stateReason). */
  reason: string;
}

export interface TDriftFinding {
  domainName: string;
  domainUuid: string;
  reportedState: string;
  vmId: string | null;
  note: string;
}

export interface TComparison {
  corrections: TCorrection[];
  drift: TDriftFinding[];
}

/**
 * What the hypervisor says wins: compares one host's inventory with the database and returns the
 * corrections to make and the domains nobody in Carve owns. Pure, so every rule is tested without
 * a host. VMs with a job in flight are left to the job; VMs changed after the inventory was asked
 * for are left to the next round (the report may predate the change).
 */
export function compareInventory(input: TCompareInput): TComparison {
  const byName = new Map(input.domains.map((d) => [d.name, d]));
  const corrections: TCorrection[] = [];
  const claimed = new Set<string>();
  for (const vm of input.placed) {
    if (vm.state === "Destroyed") continue; // its leftover domain, if any, is drift
    const name = domainName(vm.id);
    claimed.add(name);
    if (vm.activeJobId || TRANSITIONAL_STATES.includes(vm.state) || vm.updatedAt > input.since) continue;
    const domain = byName.get(name);
    const correction = correctionFor(vm, domain, input.hostName);
    if (correction) corrections.push(correction);
  }
  const drift: TDriftFinding[] = [];
  for (const domain of input.domains) {
    if (claimed.has(domain.name)) continue;
    const vmId = vmIdFromDomainName(domain.name);
    const known = vmId ? input.elsewhere.get(vmId) : undefined;
    if (known && known.updatedAt > input.since) continue;
    drift.push({ domainName: domain.name, domainUuid: domain.uuid, reportedState: domain.state, vmId, note: driftNote(domain.name, vmId, known, input.hostName) });
  }
  return { corrections, drift };
}

function correctionFor(vm: TPlacedVm, domain: TReportedDomain | undefined, hostName: string): TCorrection | null {
  const base = { vmId: vm.id, vmName: vm.name, from: vm.state };
  if (!domain) {
    if (vm.state !== "Running" && vm.state !== "Stopped" && vm.state !== "Unknown") return null;
    return {
      ...base,
      to: "Error",
      reported: "missing",
      reason:
        `missing on host ${hostName}: its domain ${domainName(vm.id)} is no longer defined there (removed outside Carve, or the host was rebuilt). ` +
        `Destroy the VM to release its disks and its name, then create it again.`,
    };
  }
  if (domain.state === "running" && (vm.state === "Stopped" || vm.state === "Unknown")) {
    return { ...base, to: "Running", reported: "running", reason: `host ${hostName} reports the domain running (Carve had it ${vm.state}).` };
  }
  if (domain.state === "stopped" && (vm.state === "Running" || vm.state === "Unknown")) {
    return {
      ...base,
      to: "Stopped",
      reported: "shut off",
      reason: `host ${hostName} reports the domain shut off (Carve had it ${vm.state}): it was stopped outside Carve or the guest powered itself off. Start it again when you need it.`,
    };
  }
  // paused/other (a domain mid-shutdown, crashed, suspended): Carve has no state for these; the
  // next round settles it once libvirt reports running or shut off.
  return null;
}

function driftNote(name: string, vmId: string | null, known: TElsewhereVm | undefined, hostName: string): string {
  if (!vmId) return `${name} on ${hostName} was not created by Carve.`;
  if (!known) return `${name} on ${hostName} is named like a Carve domain, but this Carve has no VM ${vmId} (another installation's, or left from a restored database).`;
  if (known.state === "Destroyed") return `${name} on ${hostName} belongs to VM ${known.name}, which was destroyed in Carve; its domain is still defined.`;
  return `${name} on ${hostName} belongs to VM ${known.name}, which Carve places on ${known.hostName ?? "no host"}; this copy is not the one Carve manages.`;
}
