import { randomUUID } from "node:crypto";
import type { Job, Network, Tx } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findNetwork } from "./find-network.ts";
import { isCidr, parseCidr } from "./ipv4.ts";
import { ZNetworkRef } from "./network-fields.ts";

export const ZDefineNetworkInput = z.strictObject({
  network: ZNetworkRef,
  /** Only on this host (name or id); default every host that has the network. */
  host: z.string().min(1).max(100).optional(),
});

type TDefinableNetwork = Pick<Network, "id" | "name" | "kind" | "mode" | "cidr" | "gateway" | "rangeStart" | "rangeEnd" | "dnsDomain" | "libvirtName" | "bridge">;

/** The network.define payload of a network: what its hosts' agents define (managed) or check (bridge). */
export function networkDefinePayload(network: TDefinableNetwork): TJobPayload<"network.define"> {
  const cidr = parseCidr(network.cidr);
  const range = network.rangeStart && network.rangeEnd ? { start: network.rangeStart, end: network.rangeEnd } : undefined;
  if (network.kind === "Bridge") {
    const bridge = network.bridge ?? network.name;
    return { networkId: network.id, kind: "bridge", name: bridge, bridge };
  }
  return {
    networkId: network.id,
    kind: "managed",
    name: network.libvirtName ?? network.name,
    ...(network.bridge ? { bridge: network.bridge } : {}),
    mode: network.mode === "routed" ? "routed" : "nat",
    ...(network.gateway ? { address: network.gateway } : {}),
    ...(isCidr(cidr) ? { prefix: cidr.prefix } : {}),
    ...(range ? { range } : {}),
    ...(network.dnsDomain ? { dnsDomain: network.dnsDomain } : {}),
  };
}

/**
 * Records a network.define job for each given host (inside the caller's transaction) and marks
 * the network Pending there: the agent defines, starts and autostarts a managed network (adopting
 * one with the same name or bridge) or checks a bridge network's bridge. The caller dispatches the
 * returned jobs after the commit.
 */
export async function recordNetworkDefines(tx: Tx, deps: CoreDeps, actor: TActor, network: TDefinableNetwork, hosts: { id: string; name: string }[]): Promise<Job[]> {
  const payload = networkDefinePayload(network);
  const jobs: Job[] = [];
  for (const host of hosts) {
    const job = await tx.job.create({
      data: { id: randomUUID(), kind: "network.define", actorId: actorId(actor), hostId: host.id, request: { payload, networkId: network.id }, createdAt: deps.now() },
    });
    await tx.networkHost.update({ where: { networkId_hostId: { networkId: network.id, hostId: host.id } }, data: { state: "Pending", stateReason: null } });
    await recordEvent(tx, { type: "network.define", actor, hostId: host.id, jobId: job.id, message: `network ${network.name} is being ${network.kind === "Bridge" ? "checked" : "defined in libvirt"} on ${host.name}` });
    jobs.push(job);
  }
  return jobs;
}

/**
 * (Re)defines a network on every host that has it, or on one (admins only): the retry after
 * fixing the cause an Unhealthy host names (a missing bridge, dnsmasq not installed). Returns the
 * jobs to watch; each result makes the network Up or Unhealthy on its host.
 * @throws CarveError NETWORK_NOT_FOUND, HOST_NOT_FOUND, FORBIDDEN
 */
export async function defineNetwork(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ network: { id: string; name: string }; jobs: Job[] }> {
  requireAdmin(actor, "define networks");
  const data = parseInput(ZDefineNetworkInput, input);
  const result = await deps.db.$transaction(async (tx) => {
    const network = await findNetwork(tx, data.network);
    const all = (await tx.networkHost.findMany({ where: { networkId: network.id }, select: { host: { select: { id: true, name: true } } }, orderBy: { host: { name: "asc" } } })).map((h) => h.host);
    const hosts = all.filter((h) => !data.host || h.name === data.host || h.id === data.host);
    if (hosts.length === 0) {
      throw new CarveError("HOST_NOT_FOUND", `Network ${network.name} is not on host '${data.host ?? ""}'; it is on ${all.map((h) => h.name).join(", ") || "no host"}. Add the host to the network first ('carve network update ${network.name} --hosts …').`, {
        fields: [{ field: "host", message: "does not have this network" }],
      });
    }
    return { network: { id: network.id, name: network.name }, jobs: await recordNetworkDefines(tx, deps, actor, network, hosts) };
  });
  for (const job of result.jobs) await dispatchJob(deps, job);
  return result;
}
