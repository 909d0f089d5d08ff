import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { hasDependents } from "../lifecycle/has-dependents.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findNetwork, lockNetworkRow } from "./find-network.ts";
import { lockNetworkChanges } from "./network-rules.ts";
import { ZNetworkRef } from "./network-fields.ts";
import { vmLabel, vmsOnNetwork } from "./vms-on-network.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { recordNetworkUndefines } from "./record-network-undefines.ts";

export const ZDeleteNetworkInput = z.strictObject({ network: ZNetworkRef });

/**
 * Deletes a network (admins only). Refused (HAS_DEPENDENTS) while VMs have a NIC on it (until their
 * destroy is finalised) or offerings name it, listing them and the order to remove things in. Holds
 * the network's row lock, so a create racing it either lands first (and the delete is refused) or
 * finds the network gone. A Managed network's libvirt network is removed (network.undefine, sent
 * after the commit) from each host where Carve defined it; one it adopted stays.
 * @throws CarveError NETWORK_NOT_FOUND, HAS_DEPENDENTS, FORBIDDEN
 */
export async function deleteNetwork(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ id: string; name: string }> {
  requireAdmin(actor, "delete networks");
  const { network: ref } = parseInput(ZDeleteNetworkInput, input);
  const { deleted, jobs } = await deps.db.$transaction(async (tx) => {
    await lockNetworkChanges(tx);
    const network = await findNetwork(tx, ref);
    await lockNetworkRow(tx, network.id);
    const vms = await vmsOnNetwork(tx, network.id);
    const offerings = await tx.serviceOffering.findMany({ where: { networkId: network.id }, select: { name: true }, orderBy: { name: "asc" } });
    if (vms.length > 0 || offerings.length > 0) {
      throw hasDependents(
        `Network ${network.name}`,
        [
          { what: "VMs", one: "VM", names: [...new Set(vms.map(vmLabel))] },
          { what: "offerings", one: "offering", names: offerings.map((o) => o.name) },
        ],
        [
          ...(vms.length > 0 ? ["destroy the VMs on it ('carve vm destroy NAME --wait')"] : []),
          ...(offerings.length > 0 ? ["delete the offerings that name it ('carve offering delete NAME'), or give them another network"] : []),
          `delete the network ('carve network delete ${network.name}')`,
        ],
      );
    }
    const hostIds = (await tx.networkHost.findMany({ where: { networkId: network.id }, select: { hostId: true } })).map((h) => h.hostId);
    const jobs = await recordNetworkUndefines(tx, deps, actor, network, hostIds);
    await tx.network.delete({ where: { id: network.id } });
    await recordEvent(tx, { type: "network.deleted", actor, message: `network ${network.name} (${network.cidr}) deleted` });
    return { deleted: { id: network.id, name: network.name }, jobs };
  });
  for (const job of jobs) await dispatchJob(deps, job);
  return deleted;
}
