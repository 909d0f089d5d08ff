import type { ServiceOffering } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZDescription, ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findNetwork } from "../networks/find-network.ts";

export const ZCreateOfferingInput = z.strictObject({
  name: ZObjectName,
  description: ZDescription.optional(),
  vcpus: z.number({ error: "must be a whole number of vCPUs" }).int("must be a whole number").min(1, "must be at least 1").max(256, "must be at most 256"),
  memoryMiB: z.number({ error: "must be a whole number of MiB" }).int("must be a whole number of MiB").min(64, "must be at least 64 MiB").max(4_194_304, "must be at most 4 TiB"),
  rootDiskGiB: z.number().int("must be a whole number of GiB").min(1, "must be at least 1 GiB").max(65536, "must be at most 64 TiB").default(10),
  /** The network (name or id) its VMs' NIC goes on; absent: the default network. */
  network: z.string().min(1, "must be a network name or id").max(200).optional(),
});

/** An offering with the network its VMs' NIC goes on (null: the default network), as front doors show it. */
export type TOfferingWithNetwork = ServiceOffering & { network: { id: string; name: string } | null };
export const OFFERING_NETWORK = { network: { select: { id: true, name: true } } } as const;

/**
 * Creates a service offering (vCPUs, memory, root disk size, optionally its network) users pick when creating a VM.
 * @throws CarveError INVALID_INPUT, ALREADY_EXISTS, NETWORK_NOT_FOUND, FORBIDDEN
 */
export async function createOffering(deps: CoreDeps, actor: TActor, input: unknown): Promise<TOfferingWithNetwork> {
  requireAdmin(actor, "create service offerings");
  const data = parseInput(ZCreateOfferingInput, input);
  return deps.db.$transaction(async (tx) => {
    if (await tx.serviceOffering.findUnique({ where: { name: data.name }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `A service offering named '${data.name}' already exists. Choose another name.`, {
        fields: [{ field: "name", message: "is already used by another offering" }],
      });
    }
    const { network: networkRef, ...fields } = data;
    const network = networkRef ? await findNetwork(tx, networkRef) : null;
    const offering = await tx.serviceOffering.create({ data: { ...fields, description: data.description ?? null, networkId: network?.id ?? null }, include: OFFERING_NETWORK });
    await recordEvent(tx, { type: "offering.created", actor, message: `offering ${offering.name} created (${offering.vcpus} vCPU, ${offering.memoryMiB} MiB${network ? `, network ${network.name}` : ""})` });
    return offering;
  });
}
