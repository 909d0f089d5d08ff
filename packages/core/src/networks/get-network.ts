import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findNetwork } from "./find-network.ts";
import { ZNetworkRef } from "./network-fields.ts";
import { NETWORK_SELECT, toNetworkView, type TNetworkView } from "./network-view.ts";
import { vmsOnNetwork, type TVmOnNetwork } from "./vms-on-network.ts";

export const ZGetNetworkInput = z.strictObject({ network: ZNetworkRef });

export type TNetworkDetail = TNetworkView & { vms: TVmOnNetwork[] };

/** One network (admins only) with the VMs on it and their addresses. */
export async function getNetwork(deps: CoreDeps, actor: TActor, input: unknown): Promise<TNetworkDetail> {
  requireAdmin(actor, "see networks");
  const { network: ref } = parseInput(ZGetNetworkInput, input);
  const { id } = await findNetwork(deps.db, ref);
  const row = await deps.db.network.findUniqueOrThrow({ where: { id }, select: NETWORK_SELECT });
  return { ...toNetworkView(row), vms: await vmsOnNetwork(deps.db, id) };
}
