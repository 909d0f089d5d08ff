import type { Host } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { resolveHost } from "./resolve-host.ts";

export const ZRemoveHostInput = z.object({ host: z.string().min(1, "is required").max(100) });

/** How many live VMs a refusal names before it says "and N more". */
const LISTED_VMS = 10;

/**
 * Removes a host from Carve: it is no longer placed on, watched or listed, its credential stops
 * working (the controller drops its Redis user) and unused join tokens are voided. Refused while
 * any VM on it is not destroyed, naming them. Nothing on the host itself is touched: its libvirt
 * pools and domains stay, and adding the host again under the same name adopts them (its
 * registered pools are kept for that).
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
      const named = live.slice(0, LISTED_VMS).map((vm) => `${vm.name} (${vm.owner.username}, ${vm.state})`);
      const more = live.length > LISTED_VMS ? ` and ${live.length - LISTED_VMS} more` : "";
      throw new CarveError(
        "HOST_HAS_VMS",
        `Host ${host.name} still has ${live.length} VM${live.length === 1 ? "" : "s"}: ${named.join(", ")}${more}. Destroy them (or wait for their owners to) and remove the host again.`,
        { details: { vms: live.map((vm) => vm.name) } },
      );
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
