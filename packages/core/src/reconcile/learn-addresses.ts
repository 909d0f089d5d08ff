import type { Job, Tx } from "@carve/db";
import { domainName } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { recordFilterJobs, vmsAffectedBy } from "../security-groups/filter-jobs.ts";

export interface TLearnInput {
  host: { id: string; name: string };
  jobId: string;
  /** The domains the host reported, with their power state. */
  domains: readonly { name: string; state: string }[];
  /** What the host sees on running Carve domains' bridge NICs. */
  addresses: readonly { domain: string; mac: string; ip: string }[];
  since: Date;
}

/**
 * Keeps Nic.ip current for NICs on networks without a range (the LAN's DHCP gives those addresses,
 * Carve learns them, issue 17): a running VM's NIC takes the address its host sees on its MAC; a VM
 * whose domain no longer runs there gives its address up (the LAN may hand it to someone else). A
 * running VM the host sees nothing for keeps its last address (ARP entries expire on quiet guests).
 * Each change has a `vm.address` event, and the filters that name the address (the VM's own
 * anti-spoofing, groups that use it as a source) are re-rendered. VMs with a job in flight, or
 * changed after the inventory was asked for, wait for the next round. Returns the filter jobs to
 * send after the commit.
 */
export async function learnAddresses(tx: Tx, deps: Pick<CoreDeps, "now">, input: TLearnInput): Promise<Job[]> {
  const { host } = input;
  const nics = await tx.nic.findMany({
    where: { network: { rangeStart: null }, vm: { hostId: host.id, state: { not: "Destroyed" } } },
    select: { id: true, mac: true, ip: true, networkId: true, network: { select: { name: true } }, vm: { select: { id: true, name: true, activeJobId: true, updatedAt: true } } },
  });
  if (nics.length === 0) return [];
  const running = new Set(input.domains.filter((d) => d.state === "running").map((d) => d.name));
  const seen = new Map(input.addresses.map((a) => [`${a.domain}/${a.mac}`, a.ip]));
  const changed = new Set<string>();
  for (const nic of nics) {
    const { vm } = nic;
    if (vm.activeJobId || vm.updatedAt > input.since) continue;
    const domain = domainName(vm.id);
    const next = running.has(domain) ? (seen.get(`${domain}/${nic.mac}`) ?? nic.ip) : null;
    if (next === nic.ip) continue;
    if (next !== null) {
      // The LAN gave this address to our MAC: whichever NIC Carve still had on it holds an old lease.
      const stale = await tx.nic.findFirst({ where: { networkId: nic.networkId, ip: next, id: { not: nic.id } }, select: { id: true, vm: { select: { id: true, name: true } } } });
      if (stale) {
        await tx.nic.update({ where: { id: stale.id }, data: { ip: null } });
        await addressEvent(tx, host, input.jobId, stale.vm.id, `${stale.vm.name} no longer has ${next} on network ${nic.network.name}: host ${host.name} sees it on ${vm.name}`);
        changed.add(stale.vm.id);
      }
    }
    await tx.nic.update({ where: { id: nic.id }, data: { ip: next } });
    await addressEvent(
      tx,
      host,
      input.jobId,
      vm.id,
      next === null
        ? `${vm.name} gave up ${nic.ip ?? "its address"} on network ${nic.network.name}: it is not running on host ${host.name}`
        : `${vm.name} has ${next} on network ${nic.network.name}${nic.ip ? ` (was ${nic.ip})` : ""}, as host ${host.name} sees it`,
    );
    changed.add(vm.id);
  }
  if (changed.size === 0) return [];
  const groups = (await tx.vmSecurityGroup.findMany({ where: { vmId: { in: [...changed] } }, select: { groupId: true } })).map((m) => m.groupId);
  const sourcing = await vmsAffectedBy(tx, [...new Set(groups)], { asSources: true, members: false });
  return recordFilterJobs(tx, deps, SYSTEM_ACTOR, [...new Set([...changed, ...sourcing])]);
}

async function addressEvent(tx: Tx, host: { id: string }, jobId: string, vmId: string, message: string): Promise<void> {
  await recordEvent(tx, { type: "vm.address", actor: SYSTEM_ACTOR, vmId, hostId: host.id, jobId, message });
}
