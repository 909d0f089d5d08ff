import { randomUUID } from "node:crypto";
import type { DriftItem, Job, Prisma, Tx } from "@carve/db";
import { JOBS, type TJobPayload } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { findDriftForUpdate } from "./find-drift.ts";
import { isCarveVolumeName } from "./volume-drift.ts";

/**
 * Removes a drifting Carve-named domain (carve-<uuid>) from its host: pulls the plug and undefines
 * it, through the ordinary vm.destroy job (no volumes: Carve does not know which are its). Domains
 * Carve did not name are refused: they may be someone's on purpose, so an admin removes them on the
 * host. The item is resolved when a later inventory no longer shows the domain; a failed cleanup
 * opens it again. Returns the job to watch. A network's DHCP entry or DNS record, or a stale filter
 * (issue 17), is removed on its host by a drift.remove job: Carve's own NICs never have them. So is
 * a file in a pool no volume owns (issue 19), when Carve named it (carve-<id>.qcow2); others are
 * refused, like foreign domains.
 */
export async function destroyDrift(deps: CoreDeps, actor: TActor, id: string): Promise<Job> {
  requireAdmin(actor, "destroy drifting domains");
  const job = await deps.db.$transaction(async (tx) => {
    const item = await findDriftForUpdate(tx, id);
    if (item.kind === "Volume" && !(item.pool && isCarveVolumeName(item.pool, fileOf(item)))) {
      throw new CarveError(
        "INVALID_STATE",
        `${item.domainName} on host ${item.host.name} was not named by Carve, so Carve will not delete it: it may be someone's on purpose. ` +
          `Remove it on the host ('virsh vol-delete --pool ${item.pool ?? "POOL"} ${fileOf(item)}'), or leave it with 'carve drift ignore ${item.id}'.`,
      );
    }
    const removal = removalOf(item);
    if (removal !== null) {
      assertDestroyable(item);
      return recordCleanup(tx, actor, item, "drift.remove", JOBS["drift.remove"].payload.parse(removal));
    }
    if (!item.vmId) {
      throw new CarveError(
        "INVALID_STATE",
        `${item.domainName} on host ${item.host.name} was not created by Carve, so Carve will not destroy it. ` +
          `Remove it on the host ('virsh destroy ${item.domainName}; virsh undefine ${item.domainName}'), or leave it with 'carve drift ignore ${item.id}'.`,
      );
    }
    assertDestroyable(item);
    const vm = await tx.vm.findUnique({ where: { id: item.vmId }, select: { name: true, state: true, host: { select: { name: true } } } });
    if (vm && vm.state !== "Destroyed") {
      // It may be that very VM, moved to this host outside Carve: destroying it here could kill it.
      throw new CarveError(
        "INVALID_STATE",
        `${item.domainName} on host ${item.host.name} is named after VM ${vm.name}, which Carve still has (${vm.state} on ${vm.host?.name ?? "no host"}); ` +
          `it may be that very VM, moved outside Carve. Carve cannot adopt it yet: destroy VM ${vm.name} in Carve first, or remove the domain on the host yourself.`,
      );
    }
    return recordCleanup(tx, actor, item, "vm.destroy", JOBS["vm.destroy"].payload.parse({ vmId: item.vmId, volumes: [] }));
  });
  await dispatchJob(deps, job);
  return job;
}

function assertDestroyable(item: DriftItem & { host: { name: string } }): void {
  if (item.state !== "Open" && item.state !== "Ignored") {
    throw new CarveError("INVALID_STATE", `Drift ${item.domainName} on host ${item.host.name} is ${item.state}${item.jobId ? ` (job ${item.jobId})` : ""}; only open or ignored drift can be destroyed.`);
  }
}

/** The drift.remove payload of a network entry, filter or file item; null for a domain. */
function removalOf(item: DriftItem): TJobPayload<"drift.remove"> | null {
  if (item.kind === "Filter") return { kind: "filter", name: item.domainName };
  if (item.kind === "Volume" && item.pool) return { kind: "volume", pool: item.pool, name: fileOf(item) };
  if (item.kind === "DhcpHost" && item.network && item.mac && item.ip) return { kind: "dhcp-host", network: item.network, mac: item.mac, ip: item.ip };
  if (item.kind === "DnsHost" && item.network && item.ip) return { kind: "dns-host", network: item.network, ip: item.ip };
  return null;
}

const WHAT = { Domain: "domain", DhcpHost: "DHCP host entry", DnsHost: "DNS record", Filter: "network filter", Volume: "file" } as const;

/** A Volume item's file name (its domainName is <pool>/<file>). */
const fileOf = (item: DriftItem): string => item.domainName.slice((item.pool?.length ?? -1) + 1);

async function recordCleanup(tx: Tx, actor: TActor, item: DriftItem & { host: { name: string } }, kind: "vm.destroy" | "drift.remove", payload: unknown): Promise<Job> {
  const created = await tx.job.create({
    data: {
      id: randomUUID(),
      kind,
      actorId: actorId(actor),
      hostId: item.hostId,
      // No VM on the job: the thing is no live Carve VM's, so finalising it changes no VM.
      request: { payload: payload as Prisma.InputJsonValue, driftId: item.id },
    },
  });
  await tx.driftItem.update({ where: { id: item.id }, data: { state: "Destroying", jobId: created.id, resolvedBy: actorId(actor) } });
  await recordEvent(tx, {
    type: "host.drift",
    actor,
    hostId: item.hostId,
    jobId: created.id,
    message: `destroying drifting ${WHAT[item.kind]} ${item.domainName} on host ${item.host.name}`,
    data: { driftId: item.id, domainName: item.domainName },
  });
  return created;
}
