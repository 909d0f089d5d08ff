import type { NetworkHostState, Prisma, Tx } from "@carve/db";
import { ZNetworkDefineResult } from "@carve/protocol";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { readJobRequest } from "../jobs/job-request.ts";

/**
 * Applies a finished network.define job to its network on that host: Up when the agent found the
 * network (or bridge) active, Unhealthy with the agent's reason and the retry command otherwise.
 * A host taken off the network meanwhile, or a deleted network, is left alone.
 */
export async function settleNetworkDefine(
  tx: Tx,
  job: { id: string; hostId: string | null; request: Prisma.JsonValue },
  outcome: { ok: true; result: unknown } | { ok: false; message: string },
): Promise<void> {
  const request = readJobRequest("network.define", job);
  if (!job.hostId) return;
  const key = { networkId_hostId: { networkId: request.networkId, hostId: job.hostId } };
  const current = await tx.networkHost.findUnique({ where: key, select: { state: true, definedByCarve: true, network: { select: { name: true, libvirtName: true } }, host: { select: { name: true } } } });
  if (!current) return;
  const { network, host } = current;
  const retry = `then run 'carve network define ${network.name} --host ${host.name}'`;
  const parsed = outcome.ok ? ZNetworkDefineResult.safeParse(outcome.result) : null;
  let state: NetworkHostState;
  let reason: string | null = null;
  let note = "";
  // Once Carve defined the libvirt network here, later deliveries (which find it and "adopt" it) do not make it the host's own.
  let definedByCarve = current.definedByCarve;
  if (parsed?.success) {
    const r = parsed.data;
    if (!r.adopted && network.libvirtName !== null) definedByCarve = true;
    state = r.active ? "Up" : "Unhealthy";
    if (!r.active) reason = `network ${r.name} is defined on ${host.name} but not active: start it (virsh net-start ${r.name}; is dnsmasq-base installed?), ${retry}`;
    if (r.adopted && network.libvirtName !== null && r.name !== network.libvirtName) {
      // NICs name the libvirt network: one adopted under another name on this host would not be found by them.
      state = "Unhealthy";
      reason = `host ${host.name} already has this bridge as libvirt network ${r.name}, Carve calls it ${network.libvirtName}: rename one (virsh net-destroy and net-undefine ${r.name}), ${retry}`;
    } else if (r.adopted && network.libvirtName !== null) {
      note = ` (adopted libvirt network ${r.name})`;
    }
  } else {
    const why = parsed ? "the agent's result was malformed" : outcome.ok ? "no result" : outcome.message;
    state = "Unhealthy";
    reason = `${why}; fix the cause, ${retry}`;
  }
  await tx.networkHost.update({ where: key, data: { state, stateReason: reason, definedByCarve } });
  await recordEvent(tx, {
    type: "network.state",
    actor: SYSTEM_ACTOR,
    hostId: job.hostId,
    jobId: job.id,
    fromState: current.state,
    toState: state,
    message: reason ? `network ${network.name} is ${state} on ${host.name}: ${reason}` : `network ${network.name} is ${state} on ${host.name}${note}`,
  });
}
