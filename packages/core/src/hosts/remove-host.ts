import type { Host } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { DESTROY_THOSE_VMS, hasDependents } from "../lifecycle/has-dependents.ts";
import { parseInput } from "../validation/parse-input.ts";
import { poolsOnlyOn } from "./dead-host-vms.ts";
import { resolveHost } from "./resolve-host.ts";

export const ZRemoveHostInput = z.object({ host: z.string().min(1, "is required").max(100) });

/**
 * Removes a host from Carve: it is no longer placed on, watched or listed, its credential stops
 * working (the controller drops its Redis user) and unused join tokens are voided. Refused while
 * any VM on it is not destroyed (HAS_DEPENDENTS, naming them and the order to remove things in),
 * and while a pool only it sees holds a volume (naming each, with the command that moves or
 * deletes it). A Dead host is removed the same way once its Lost VMs are destroyed or re-created;
 * its pools that nobody else sees become Unhealthy, never listed as Up.
 * Nothing on the host itself is touched: its libvirt pools and domains stay, and adding the host
 * again under the same name adopts them (its registered pools are kept for that; delete a pool
 * with 'carve pool delete' to forget it).
 */
export async function removeHost(deps: CoreDeps, actor: TActor, input: unknown): Promise<Host> {
  requireAdmin(actor, "remove hosts");
  const data = parseInput(ZRemoveHostInput, input);
  return deps.db.$transaction(async (tx) => {
    const host = await resolveHost(tx, data.host);
    // Serialises with placement and other removals of this host.
    await tx.$executeRaw`SELECT id FROM "Host" WHERE id = ${host.id}::uuid FOR UPDATE`;
    const live = await tx.vm.findMany({
      where: { hostId: host.id, state: { not: "Destroyed" } },
      select: { name: true, state: true, owner: { select: { username: true } } },
      orderBy: { createdAt: "asc" },
    });
    if (live.length > 0) {
      const lost = live.some((vm) => vm.state === "Lost");
      throw hasDependents(`Host ${host.name}`, [{ what: "VMs", one: "VM", names: live.map((vm) => `${vm.name} (${vm.owner.username}, ${vm.state})`) }], [
        lost ? "destroy those VMs ('carve vm destroy NAME --wait'), or re-create the Lost ones elsewhere ('carve vm recreate NAME'); ask their owners first" : DESTROY_THOSE_VMS,
        `remove the host ('carve host remove ${host.name}')`,
      ]);
    }
    // Storage only this host sees would keep volumes nobody can reach or delete once it is gone.
    const own = await poolsOnlyOn(tx, host.id);
    const stranded = await tx.volume.findMany({
      where: { poolId: { in: own.map((p) => p.id) }, state: { not: "Deleted" } },
      select: { name: true, sizeGiB: true, owner: { select: { username: true } }, pool: { select: { name: true } } },
      orderBy: { createdAt: "asc" },
    });
    if (stranded.length > 0) {
      throw hasDependents(
        `Host ${host.name}`,
        [{ what: "volumes", one: "volume", names: stranded.map((v) => `${v.name} (${v.owner.username}, ${v.sizeGiB} GiB, pool ${v.pool.name}: 'carve volume migrate ${v.name} --pool POOL' or 'carve volume delete ${v.name}')`) }],
        ["move each volume to a pool of another host ('carve volume migrate NAME --pool POOL') or delete it ('carve volume delete NAME')", `remove the host ('carve host remove ${host.name}')`],
      );
    }
    const now = deps.now();
    await tx.oneTimeToken.updateMany({ where: { kind: "HostJoin", hostId: host.id, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
    const removed = await tx.host.update({ where: { id: host.id }, data: { state: "Removed", credentialHash: null } });
    // Its own pools stay registered (a re-add adopts them) but are no longer Up: nobody reaches them.
    for (const pool of own) {
      await tx.storagePool.update({ where: { id: pool.id }, data: { state: "Unhealthy", stateReason: `its host ${host.name} was removed: add the host again ('carve host add ${host.name}') or delete the pool ('carve pool delete ${pool.name}')` } });
    }
    await recordEvent(tx, {
      type: "host.removed",
      actor,
      hostId: host.id,
      fromState: host.state,
      toState: "Removed",
      message: `host ${host.name} removed; its libvirt pools and domains were left on it${own.length > 0 ? `; its pools ${own.map((p) => p.name).join(", ")} are Unhealthy until it is added again` : ""}`,
    });
    return removed;
  });
}
