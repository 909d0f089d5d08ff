import { randomUUID } from "node:crypto";
import type { Job, Tx } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, type TActor } from "../identity/actor.ts";

/**
 * Records a network.undefine job (inside the caller's transaction, before the NetworkHost rows go)
 * for each of these hosts where Carve itself defined the managed network's libvirt network: the
 * network is being deleted, or the hosts taken off it. A libvirt network network.define adopted was
 * the host's before Carve and is left alone, as are bridge networks (the bridge is the LAN's). The
 * caller dispatches the returned jobs after the commit.
 */
export async function recordNetworkUndefines(
  tx: Tx,
  deps: Pick<CoreDeps, "now">,
  actor: TActor,
  network: { id: string; name: string; kind: "Managed" | "Bridge"; libvirtName: string | null },
  hostIds: readonly string[],
): Promise<Job[]> {
  if (network.kind !== "Managed" || network.libvirtName === null || hostIds.length === 0) return [];
  const defined = await tx.networkHost.findMany({
    where: { networkId: network.id, hostId: { in: [...hostIds] }, definedByCarve: true },
    select: { host: { select: { id: true, name: true } } },
    orderBy: { host: { name: "asc" } },
  });
  const payload: TJobPayload<"network.undefine"> = { networkId: network.id, name: network.libvirtName };
  const jobs: Job[] = [];
  for (const { host } of defined) {
    const job = await tx.job.create({
      data: { id: randomUUID(), kind: "network.undefine", actorId: actorId(actor), hostId: host.id, request: { payload, networkId: network.id }, createdAt: deps.now() },
    });
    await recordEvent(tx, { type: "network.undefine", actor, hostId: host.id, jobId: job.id, message: `libvirt network ${network.libvirtName} of network ${network.name} is being removed from ${host.name}` });
    jobs.push(job);
  }
  return jobs;
}
