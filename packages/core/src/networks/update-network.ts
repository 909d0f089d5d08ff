import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { resolveHost } from "../hosts/resolve-host.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { listNames } from "../lifecycle/has-dependents.ts";
import { ZDescription } from "../validation/fields.ts";
import { invalidInput } from "../validation/invalid-input.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findNetwork, lockNetworkRow } from "./find-network.ts";
import { parseIpv4 } from "./ipv4.ts";
import { ZBridgeName, ZCidrText, ZDnsDomain, ZIpv4Text, ZNetworkHosts, ZNetworkMode, ZNetworkRef } from "./network-fields.ts";
import { assertNoOverlap, checkNetworkShape, lockNetworkChanges } from "./network-rules.ts";
import { NETWORK_SELECT, toNetworkView, type TNetworkView } from "./network-view.ts";
import { vmLabel, vmsOnNetwork, type TVmOnNetwork } from "./vms-on-network.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { recordNetworkDefines } from "./define-network.ts";
import { recordNetworkUndefines } from "./record-network-undefines.ts";

export const ZUpdateNetworkInput = z.strictObject({
  network: ZNetworkRef,
  description: ZDescription.nullable().optional(),
  mode: ZNetworkMode.optional(),
  cidr: ZCidrText.optional(),
  /** null removes it (Bridge networks only: a Managed one needs its gateway). */
  gateway: ZIpv4Text.nullable().optional(),
  /** Give both ends; null and null: Carve allocates no more addresses. */
  rangeStart: ZIpv4Text.nullable().optional(),
  rangeEnd: ZIpv4Text.nullable().optional(),
  dnsDomain: ZDnsDomain.nullable().optional(),
  bridge: ZBridgeName.optional(),
  /** The hosts that have it, replacing the current list. */
  hosts: ZNetworkHosts.optional(),
  isDefault: z.boolean({ error: "must be true or false" }).optional(),
});

/**
 * Changes a network (admins only). Its addressing is checked as on create. While VMs use it, a
 * change that would strand them is refused (NETWORK_IN_USE) naming them: a new CIDR or gateway (the
 * guests hold the old ones), a range that no longer holds an address a VM has (widening it, the fix
 * for NETWORK_FULL, is allowed), a host taken off it that runs VMs on it. Runs holding the network's
 * row lock, so no create allocates on it meanwhile. Hosts added to it get a network.define job
 * (sent after the commit), and so do all its hosts when a Bridge network's bridge changes; hosts
 * taken off a Managed network get a network.undefine where Carve defined its libvirt network.
 * @throws CarveError INVALID_INPUT, NETWORK_NOT_FOUND, NETWORK_IN_USE, HOST_NOT_FOUND, FORBIDDEN
 */
export async function updateNetwork(deps: CoreDeps, actor: TActor, input: unknown): Promise<TNetworkView> {
  requireAdmin(actor, "change networks");
  const data = parseInput(ZUpdateNetworkInput, input);
  const { network: ref, ...changes } = data;
  if (Object.values(changes).every((v) => v === undefined)) {
    throw invalidInput([{ field: "input", message: "changes nothing: give at least one of description, mode, cidr, gateway, rangeStart/rangeEnd, dnsDomain, bridge, hosts, isDefault" }]);
  }
  const { view, jobs } = await deps.db.$transaction(async (tx) => {
    await lockNetworkChanges(tx);
    const current = await findNetwork(tx, ref);
    await lockNetworkRow(tx, current.id);
    if (changes.mode !== undefined && current.kind !== "Managed") throw invalidInput([{ field: "mode", message: "is only for Managed networks: remove it" }]);
    const next = {
      cidr: changes.cidr ?? current.cidr,
      gateway: changes.gateway === undefined ? current.gateway : changes.gateway,
      rangeStart: changes.rangeStart === undefined ? current.rangeStart : changes.rangeStart,
      rangeEnd: changes.rangeEnd === undefined ? current.rangeEnd : changes.rangeEnd,
    };
    const shape = checkNetworkShape({ kind: current.kind, ...next });
    const cidrChanged = shape.cidr.text !== current.cidr;
    if (cidrChanged) await assertNoOverlap(tx, shape.cidr, current.id);
    const hosts = changes.hosts ? [...new Map((await Promise.all(changes.hosts.map((h) => resolveHost(tx, h, "hosts")))).map((h) => [h.id, h])).values()] : null;

    const vms = await vmsOnNetwork(tx, current.id);
    const refuse = (what: string, stranded: TVmOnNetwork[], fix: string): never => {
      throw new CarveError(
        "NETWORK_IN_USE",
        `Cannot change ${what} of network ${current.name}: ${stranded.length} VM${stranded.length === 1 ? "" : "s"} use${stranded.length === 1 ? "s" : ""} it (${listNames(stranded.map(vmLabel))}). ${fix}`,
        { details: { vms: stranded.map((v) => ({ name: v.name, owner: v.owner, ip: v.ip, host: v.host })) } },
      );
    };
    const destroyFirst = "Destroy those VMs first ('carve vm destroy NAME --wait'), or create a new network for the new addressing.";
    if (vms.length > 0 && cidrChanged) refuse("the CIDR", vms, destroyFirst);
    if (vms.length > 0 && next.gateway !== current.gateway) refuse("the gateway", vms, destroyFirst);
    const outside = vms.filter((vm) => {
      const ip = vm.ip === null ? null : parseIpv4(vm.ip);
      return ip !== null && (!shape.range || ip < shape.range.first || ip > shape.range.last);
    });
    if (outside.length > 0) refuse("the range", outside, "Choose a range that still holds their addresses (widening it is fine), or destroy those VMs first.");
    if (hosts) {
      const kept = new Set(hosts.map((h) => h.id));
      const stranded = vms.filter((vm) => vm.hostId !== null && !kept.has(vm.hostId));
      if (stranded.length > 0) refuse("the hosts", stranded, "Keep their hosts on the network, or migrate or destroy those VMs first.");
    }

    if (changes.isDefault === true) await tx.network.updateMany({ where: { isDefault: true, id: { not: current.id } }, data: { isDefault: false } });
    const before = new Set((await tx.networkHost.findMany({ where: { networkId: current.id }, select: { hostId: true } })).map((h) => h.hostId));
    const removed = hosts ? [...before].filter((id) => !hosts.some((h) => h.id === id)) : [];
    const undefines = await recordNetworkUndefines(tx, deps, actor, current, removed);
    if (hosts) await tx.networkHost.deleteMany({ where: { networkId: current.id, hostId: { notIn: hosts.map((h) => h.id) } } });
    const updated = await tx.network.update({
      where: { id: current.id },
      data: {
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.mode !== undefined ? { mode: changes.mode } : {}),
        ...(changes.dnsDomain !== undefined ? { dnsDomain: changes.dnsDomain } : {}),
        ...(changes.bridge !== undefined ? { bridge: changes.bridge } : {}),
        ...(changes.isDefault !== undefined ? { isDefault: changes.isDefault } : {}),
        cidr: shape.cidr.text,
        gateway: next.gateway,
        rangeStart: next.rangeStart,
        rangeEnd: next.rangeEnd,
        ...(hosts ? { hosts: { createMany: { data: hosts.map((h) => ({ hostId: h.id })), skipDuplicates: true } } } : {}),
      },
      select: NETWORK_SELECT,
    });
    const changed = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined);
    await recordEvent(tx, { type: "network.updated", actor, message: `network ${updated.name} changed: ${changed.join(", ")}`, data: { changed } });
    const bridgeMoved = current.kind === "Bridge" && changes.bridge !== undefined && changes.bridge !== current.bridge;
    const toDefine = updated.hosts.map((h) => h.host).filter((h) => bridgeMoved || !before.has(h.id));
    return { view: toNetworkView(updated), jobs: [...undefines, ...(await recordNetworkDefines(tx, deps, actor, updated, toDefine))] };
  });
  for (const job of jobs) await dispatchJob(deps, job);
  return view;
}
