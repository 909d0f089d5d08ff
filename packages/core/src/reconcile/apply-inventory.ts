import type { DriftKind, Tx } from "@carve/db";
import { vmIdFromDomainName, vmIdFromFilterName, ZInventoryResult, type TInventoryNetwork } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { releaseHostCapacity } from "../hosts/capacity.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { holdsCapacity } from "../vms/vm-state-machine.ts";
import { endConsoleSessions } from "../console/end-console-sessions.ts";
import { verifyTemplateCopies } from "../templates/verify-template-copies.ts";
import { compareInventory, type TCorrection, type TElsewhereVm } from "./compare-inventory.ts";
import { learnAddresses } from "./learn-addresses.ts";
import { dispatchFilterJobs } from "../security-groups/filter-jobs.ts";
import { volumeDrift } from "./volume-drift.ts";
import { compareFilters, compareNetworkEntries, dhcpKey, dnsKey, type TDriftRecord, type TFilterVm } from "./compare-network-drift.ts";

/** Clocks of the processes that stamp rows differ a little; changes this close to the request wait a round. */
const CLOCK_MARGIN_MS = 1_000;

export interface TApplyReport {
  corrected: number;
  driftOpened: number;
  driftResolved: number;
}

interface THostRef {
  id: string;
  name: string;
}

/**
 * Reconciles the database with a finished host.inventory job (the controller's periodic one or an
 * admin's `host inspect`): corrects each VM whose domain says otherwise, with a `vm.reconciled`
 * event, and records on the drift list the domains nobody in Carve owns and (issue 17) the DHCP/DNS
 * entries of Carve's managed networks and the network filters no Carve VM there accounts for, and
 * (issue 19) the files in Carve's pools that no volume or template copy owns, and
 * keeps learned addresses current (learnAddresses). Called when the job
 * finalises; running it twice for the same job changes nothing the second time.
 */
export async function applyInventory(deps: CoreDeps, jobId: string): Promise<TApplyReport | null> {
  const job = await deps.db.job.findUnique({
    where: { id: jobId },
    select: { kind: true, state: true, result: true, createdAt: true, host: { select: { id: true, name: true } } },
  });
  if (!job?.host || job.kind !== "host.inventory" || job.state !== "Succeeded") return null;
  const inventory = ZInventoryResult.safeParse(job.result);
  if (!inventory.success) return null;
  const host = job.host;
  const domains = inventory.data.domains;
  const since = new Date(job.createdAt.getTime() - CLOCK_MARGIN_MS);
  const applied = await deps.db.$transaction(async (tx) => {
    const placed = await tx.vm.findMany({
      where: { hostId: host.id, state: { not: "Destroyed" } },
      select: { id: true, name: true, state: true, activeJobId: true, updatedAt: true, vcpus: true, memoryMiB: true },
    });
    const placedIds = new Set(placed.map((vm) => vm.id));
    const otherIds = domains.map((d) => vmIdFromDomainName(d.name)).filter((id): id is string => id !== null && isUuid(id) && !placedIds.has(id));
    const others = otherIds.length === 0 ? [] : await tx.vm.findMany({
      where: { id: { in: otherIds } },
      select: { id: true, name: true, state: true, updatedAt: true, host: { select: { name: true } } },
    });
    const elsewhere = new Map<string, TElsewhereVm>(others.map((vm) => [vm.id, { ...vm, hostName: vm.host?.name ?? null }]));
    const { corrections, drift } = compareInventory({ hostName: host.name, placed, elsewhere, domains, since });
    let corrected = 0;
    for (const correction of corrections) {
      const vm = placed.find((v) => v.id === correction.vmId);
      if (vm && (await applyCorrection(tx, deps, host, jobId, vm, correction))) corrected += 1;
    }
    const rounds: TDriftRound[] = [
      { kinds: ["Domain"], findings: drift.map((d) => ({ ...d, kind: "Domain" })), keep: new Set(domains.map((d) => driftKey("Domain", d.name))), gone: (h) => `is no longer on host ${h}` },
      ...(await networkDrift(tx, host, inventory.data, since)),
      await poolFileDrift(tx, host, inventory.data.pools, since),
    ];
    let driftOpened = 0;
    let driftResolved = 0;
    for (const round of rounds) {
      const counts = await recordDrift(tx, deps, host, round, since);
      driftOpened += counts.driftOpened;
      driftResolved += counts.driftResolved;
    }
    // storage under Carve (issue 19): a template copy the pool no longer holds is Missing.
    corrected += await verifyTemplateCopies(tx, host, inventory.data.pools, since);
    const { addresses } = inventory.data;
    const filterJobs = addresses ? await learnAddresses(tx, deps, { host, jobId, domains, addresses, since }) : [];
    return { counts: { corrected, driftOpened, driftResolved }, filterJobs };
  });
  const { counts: report, filterJobs } = applied;
  await dispatchFilterJobs(deps, filterJobs);
  if (report.corrected + report.driftOpened + report.driftResolved > 0) {
    deps.log.info({ host: host.name, jobId, ...report }, "reconciled a host's inventory");
    deps.hooks?.reconciled?.({ host: host.name, ...report });
  }
  return report;
}

async function applyCorrection(
  tx: Tx,
  deps: CoreDeps,
  host: THostRef,
  jobId: string,
  vm: { id: string; updatedAt: Date; vcpus: number; memoryMiB: number },
  c: TCorrection,
): Promise<boolean> {
  // Only if nothing touched the VM since it was read: a job claiming it now wins.
  const updated = await tx.vm.updateMany({
    where: { id: vm.id, state: c.from, activeJobId: null, updatedAt: vm.updatedAt },
    data: { state: c.to, stateReason: c.reason },
  });
  if (updated.count === 0) return false;
  if (holdsCapacity(c.from) && !holdsCapacity(c.to)) await releaseHostCapacity(tx, host.id, vm.vcpus, vm.memoryMiB);
  // A console lives only while the VM runs (issue 18).
  if (c.to !== "Running") await endConsoleSessions(tx, { vmId: vm.id }, `${c.vmName} is ${c.to} (reported by host ${host.name})`, deps.now());
  if (c.to === "Running" || c.to === "Stopped") {
    // A create abandoned by the watchdog left its root volume Allocating; the domain proves it exists.
    await tx.volume.updateMany({ where: { vmId: vm.id, state: "Allocating" }, data: { state: "Attached" } });
  }
  await recordEvent(tx, {
    type: "vm.reconciled",
    actor: SYSTEM_ACTOR,
    vmId: vm.id,
    hostId: host.id,
    jobId,
    fromState: c.from,
    toState: c.to,
    message: `${c.vmName}: ${c.from} → ${c.to}, reported by host ${host.name} (domain ${c.reported}). ${c.reason}`,
    data: { reportedBy: host.name, reported: c.reported, at: deps.now().toISOString() },
  });
  return true;
}

/** One kind of drift (or several judged together) from one inventory. */
interface TDriftRound {
  kinds: DriftKind[];
  findings: TDriftRecord[];
  /** Keys (driftKey) of the items that stay as they are when not found this round; the others resolve. */
  keep: ReadonlySet<string>;
  /** How a resolved item's event says it went, on that host. */
  gone: (host: string) => string;
}

const driftKey = (kind: DriftKind, name: string): string => `${kind}:${name}`;

const WHAT: Record<DriftKind, string> = {
  Domain: "a domain Carve does not manage",
  DhcpHost: "a DHCP host entry Carve did not make",
  DnsHost: "a DNS record Carve did not make",
  Filter: "a stale network filter",
  Volume: "a file in a pool that no volume owns",
};

/** The drift round of the files in the host's Carve pools (issue 19): see volumeDrift. */
async function poolFileDrift(tx: Tx, host: THostRef, pools: Parameters<typeof volumeDrift>[2], since: Date): Promise<TDriftRound> {
  const { findings, unjudged } = await volumeDrift(tx, host, pools, since);
  const keep = new Set([...findings.map((f) => f.domainName), ...unjudged].map((name) => driftKey("Volume", name)));
  return { kinds: ["Volume"], findings, keep, gone: (h) => `is gone from its pool on host ${h}, or a Carve volume owns it now` };
}

/**
 * The drift rounds of a host's managed networks and filters (issue 17), when its agent reports
 * them (older agents do not: their items are left as they were). DHCP/DNS entries are not judged
 * while a VM's entries may be on their way to or from the host (a create, move or destroy in flight
 * or just finished): the report may predate the change.
 */
async function networkDrift(tx: Tx, host: THostRef, inventory: { networks?: TInventoryNetwork[] | undefined; filters?: string[] | undefined }, since: Date): Promise<TDriftRound[]> {
  const rounds: TDriftRound[] = [];
  if (inventory.networks) {
    const reported = inventory.networks;
    const moving = await tx.job.count({
      where: {
        kind: { in: ["vm.create", "vm.define", "vm.destroy", "vm.undefine", "vm.migrate"] },
        OR: [{ hostId: host.id }, { kind: "vm.migrate" }],
        AND: [{ OR: [{ state: { in: ["Queued", "Running"] } }, { finishedAt: { gt: since } }] }],
      },
    });
    const carve = await tx.network.findMany({
      where: { kind: "Managed", libvirtName: { not: null }, hosts: { some: { hostId: host.id } } },
      select: { name: true, libvirtName: true, nics: { select: { mac: true, ip: true } } },
    });
    const findings = compareNetworkEntries(host.name, carve.map((n) => ({ ...n, libvirtName: n.libvirtName ?? n.name })), reported);
    const there = reported.flatMap((n) => [...n.dhcpHosts.map((h) => driftKey("DhcpHost", dhcpKey(n.name, h.mac, h.ip))), ...n.dnsHosts.map((h) => driftKey("DnsHost", dnsKey(n.name, h.ip)))]);
    // A round that cannot judge keeps every item that is still there; otherwise what is no longer drift resolves too.
    const keep = new Set(moving > 0 ? there : findings.map((f) => driftKey(f.kind, f.domainName)));
    rounds.push({ kinds: ["DhcpHost", "DnsHost"], findings: moving > 0 ? [] : findings, keep, gone: (h) => `is gone from host ${h}, or a Carve VM's NIC has it now` });
  }
  if (inventory.filters) {
    const filters = inventory.filters.filter((f) => isUuid(vmIdFromFilterName(f) ?? ""));
    const ids = filters.map((f) => vmIdFromFilterName(f) ?? "");
    const vms = ids.length === 0 ? [] : await tx.vm.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, state: true, hostId: true, activeJobId: true, updatedAt: true, host: { select: { name: true } } } });
    const byId = new Map<string, TFilterVm>(vms.map((vm) => [vm.id, { ...vm, hostName: vm.host?.name ?? null }]));
    const findings = compareFilters(host, filters, byId, since);
    rounds.push({ kinds: ["Filter"], findings, keep: new Set(findings.map((f) => driftKey(f.kind, f.domainName))), gone: (h) => `is gone from host ${h}, or its VM is there now` });
  }
  return rounds;
}

/**
 * Keeps the host's drift list in step with what it reports: new findings open an item (with an
 * event), items no longer found are resolved, a failed cleanup reopens its item. Nothing is ever
 * removed from the host here.
 */
async function recordDrift(tx: Tx, deps: CoreDeps, host: THostRef, round: TDriftRound, since: Date): Promise<{ driftOpened: number; driftResolved: number }> {
  const now = deps.now();
  const existing = new Map((await tx.driftItem.findMany({ where: { hostId: host.id, kind: { in: round.kinds } } })).map((item) => [driftKey(item.kind, item.domainName), item]));
  let driftOpened = 0;
  let driftResolved = 0;
  for (const finding of round.findings) {
    const item = existing.get(driftKey(finding.kind, finding.domainName));
    const seen = {
      lastSeenAt: now, reportedState: finding.reportedState, domainUuid: finding.domainUuid, vmId: finding.vmId, note: finding.note,
      network: finding.network ?? null, mac: finding.mac ?? null, ip: finding.ip ?? null, pool: finding.pool ?? null,
    }; // prettier-ignore
    if (!item) {
      const created = await tx.driftItem.create({ data: { hostId: host.id, kind: finding.kind, domainName: finding.domainName, firstSeenAt: now, ...seen } });
      await driftEvent(tx, host, created.id, finding.domainName, `host ${host.name} has ${WHAT[finding.kind]}: ${finding.note} See 'carve drift list'.`);
      driftOpened += 1;
      continue;
    }
    let reopen: string | null = null;
    if (item.state === "Resolved") reopen = finding.note;
    if (item.state === "Destroying" && item.jobId) {
      const cleanup = await tx.job.findUnique({ where: { id: item.jobId }, select: { state: true, errorMessage: true, finishedAt: true } });
      if (cleanup?.state === "Failed") reopen = `${finding.note} Destroying it failed: ${cleanup.errorMessage ?? "no reason given"}.`;
      if (cleanup?.state === "Succeeded" && cleanup.finishedAt && cleanup.finishedAt < since) reopen = `${finding.note} It is still there after it was destroyed.`;
    }
    if (reopen) {
      await tx.driftItem.update({ where: { id: item.id }, data: { ...seen, note: reopen, state: "Open", resolvedAt: null, jobId: null, ...(item.state === "Resolved" ? { firstSeenAt: now } : {}) } });
      await driftEvent(tx, host, item.id, item.domainName, `drift on host ${host.name} is open again: ${reopen}`);
      driftOpened += 1;
    } else {
      await tx.driftItem.update({ where: { id: item.id }, data: seen });
    }
  }
  for (const [key, item] of existing) {
    if (item.state === "Resolved" || round.keep.has(key)) continue;
    await tx.driftItem.update({ where: { id: item.id }, data: { state: "Resolved", resolvedAt: now } });
    await driftEvent(tx, host, item.id, item.domainName, `drift resolved: ${item.domainName} ${round.gone(host.name)}`);
    driftResolved += 1;
  }
  return { driftOpened, driftResolved };
}

async function driftEvent(tx: Tx, host: THostRef, driftId: string, domainName: string, message: string): Promise<void> {
  await recordEvent(tx, { type: "host.drift", actor: SYSTEM_ACTOR, hostId: host.id, message, data: { driftId, domainName } });
}
