import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { resolveHost } from "../hosts/resolve-host.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZDescription, ZObjectName } from "../validation/fields.ts";
import { invalidInput } from "../validation/invalid-input.ts";
import { parseInput } from "../validation/parse-input.ts";
import { ZBridgeName, ZCidrText, ZDnsDomain, ZIpv4Text, ZNetworkHosts, ZNetworkKind, ZNetworkLibvirtName, ZNetworkMode } from "./network-fields.ts";
import { assertNoOverlap, checkNetworkShape, lockNetworkChanges } from "./network-rules.ts";
import { NETWORK_SELECT, toNetworkView, type TNetworkView } from "./network-view.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { recordNetworkDefines } from "./define-network.ts";

export const ZCreateNetworkInput = z.strictObject({
  name: ZObjectName,
  description: ZDescription.optional(),
  kind: ZNetworkKind,
  /** Managed only (default nat). */
  mode: ZNetworkMode.optional(),
  cidr: ZCidrText,
  gateway: ZIpv4Text.optional(),
  /** The addresses Carve allocates from, both included; neither: Carve allocates none. */
  rangeStart: ZIpv4Text.optional(),
  rangeEnd: ZIpv4Text.optional(),
  dnsDomain: ZDnsDomain.optional(),
  /** Managed: the network's name in libvirt (default: the network's name). */
  libvirtName: ZNetworkLibvirtName.optional(),
  /** Bridge: the Linux bridge on each host (required); Managed: the bridge libvirt creates (optional). */
  bridge: ZBridgeName.optional(),
  hosts: ZNetworkHosts,
  /** New VMs whose offering names no network get a NIC on it (replaces the current default). */
  isDefault: z.boolean({ error: "must be true or false" }).default(false),
});

/**
 * Registers a guest network (admins only): its addressing is checked (CIDR, range inside it, gateway
 * outside the range, no overlap with another network) and every field at fault is named with its
 * fix; the hosts must exist. One transaction: nothing is half-created. A network.define job per
 * host is recorded with it and sent after the commit: each host's agent defines the libvirt network
 * (or checks the bridge) and its result makes the network Up or Unhealthy there.
 * @throws CarveError INVALID_INPUT, ALREADY_EXISTS, HOST_NOT_FOUND, FORBIDDEN
 */
export async function createNetwork(deps: CoreDeps, actor: TActor, input: unknown): Promise<TNetworkView> {
  requireAdmin(actor, "create networks");
  const data = parseInput(ZCreateNetworkInput, input);
  if (data.kind === "Bridge") {
    const wrong = [
      ...(data.bridge ? [] : [{ field: "bridge", message: "is required for a Bridge network: the existing Linux bridge on each host, e.g. br0" }]),
      ...(data.mode ? [{ field: "mode", message: "is only for Managed networks: remove it (a bridge's mode is the LAN's)" }] : []),
      ...(data.libvirtName ? [{ field: "libvirtName", message: "is only for Managed networks: a Bridge network is named by its bridge" }] : []),
    ];
    if (wrong.length > 0) throw invalidInput(wrong);
  }
  const shape = checkNetworkShape({ kind: data.kind, cidr: data.cidr, gateway: data.gateway ?? null, rangeStart: data.rangeStart ?? null, rangeEnd: data.rangeEnd ?? null });
  const { view, jobs } = await deps.db.$transaction(async (tx) => {
    await lockNetworkChanges(tx);
    if (await tx.network.findUnique({ where: { name: data.name }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `A network named '${data.name}' already exists. Choose another name.`, {
        fields: [{ field: "name", message: "is already used by another network" }],
      });
    }
    await assertNoOverlap(tx, shape.cidr, null);
    const hosts = [...new Map((await Promise.all(data.hosts.map((ref) => resolveHost(tx, ref, "hosts")))).map((h) => [h.id, h])).values()];
    if (data.isDefault) await tx.network.updateMany({ where: { isDefault: true }, data: { isDefault: false } });
    const created = await tx.network.create({
      data: {
        name: data.name,
        description: data.description ?? null,
        kind: data.kind,
        mode: data.kind === "Managed" ? (data.mode ?? "nat") : null,
        cidr: shape.cidr.text,
        gateway: data.gateway ?? null,
        rangeStart: data.rangeStart ?? null,
        rangeEnd: data.rangeEnd ?? null,
        dnsDomain: data.dnsDomain ?? null,
        libvirtName: data.kind === "Managed" ? (data.libvirtName ?? data.name) : null,
        bridge: data.bridge ?? null,
        isDefault: data.isDefault,
        hosts: { create: hosts.map((h) => ({ hostId: h.id })) },
      },
      select: NETWORK_SELECT,
    });
    await recordEvent(tx, {
      type: "network.created",
      actor,
      message: `network ${created.name} (${created.kind}, ${created.cidr}) created on ${hosts.map((h) => h.name).join(", ")}${created.isDefault ? "; it is the default network" : ""}`,
    });
    const jobs = await recordNetworkDefines(tx, deps, actor, created, hosts);
    return { view: toNetworkView(created), jobs };
  });
  for (const job of jobs) await dispatchJob(deps, job);
  return view;
}
