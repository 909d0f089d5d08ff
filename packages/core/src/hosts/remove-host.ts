import type { Host } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { DESTROY_THOSE_VMS, hasDependents } from "../lifecycle/has-dependents.ts";
import { parseInput } from "../validation/parse-input.ts";
import { resolveHost } from "./resolve-host.ts";

export const ZRemoveHostInput = z.object({ host: z.string().min(1, "is required").max(100) });

/**
 * Removes a host from Carve: it is no longer placed on, watched or listed, its credential stops
 * working (the controller drops its Redis user) and unused join tokens are voided. Refused while
 * any VM on it is not destroyed (HAS_DEPENDENTS, naming them and the order to remove things in).
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
      throw hasDependents(`Host ${host.name}`, [{ what: "VMs", one: "VM", names: live.map((vm) => `${vm.name} (${vm.owner.username}, ${vm.state})`) }], [
        DESTROY_THOSE_VMS,
        `remove the host ('carve host remove ${host.name}')`,
      ]);
    }
    const now = deps.now();
    await tx.oneTimeToken.updateMany({ where: { kind: "HostJoin", hostId: host.id, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
    const removed = await tx.host.update({ where: { id: host.id }, data: { state: "Removed", credentialHash: null } });
    await recordEvent(tx, {
      type: "host.removed",
      actor,
      hostId: host.id,
      fromState: host.state,
      toState: "Removed",
      message: `host ${host.name} removed; its libvirt pools and domains were left on it`,
    });
    return removed;
  });
}
