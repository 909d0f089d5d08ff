import type { Prisma, Tx } from "@carve/db";
import { z } from "zod";
import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import { findVolumeForActor } from "./find-volume.ts";

/** The `volume` field of volume use-cases: a volume's name or id. */
export const ZVolumeField = z.string({ error: "is required: a volume name or id" }).min(1, "is required: a volume name or id").max(100);

const VOLUME_SELECT = {
  id: true,
  name: true,
  kind: true,
  state: true,
  ownerId: true,
  vmId: true,
  deviceIndex: true,
  sizeGiB: true,
  libvirtName: true,
  activeJobId: true,
  diskOffering: { select: { name: true, scope: true, storageTags: true, sizeGiB: true, maxSizeGiB: true } },
  vm: { select: { id: true, name: true, state: true, hostId: true } },
  pool: { select: { id: true, name: true, libvirtName: true, scope: true, hostId: true, host: { select: { name: true } }, hosts: { select: { hostId: true } } } },
} as const;

export type TLoadedVolume = Prisma.VolumeGetPayload<{ select: typeof VOLUME_SELECT }>;

/** A volume the actor may act on, with its pool, VM and disk offering (what volume use-cases check). */
export async function loadVolumeForActor(tx: Tx, actor: TActor, ref: string): Promise<TLoadedVolume> {
  const { id } = await findVolumeForActor(tx, actor, ref);
  return tx.volume.findUniqueOrThrow({ where: { id }, select: VOLUME_SELECT });
}

/** Refuses a root disk where only data volumes go; `instead` ends the message with what to do. */
export function refuseRootDisk(volume: Pick<TLoadedVolume, "kind" | "name">, instead: string): void {
  if (volume.kind === "Root") throw new CarveError("INVALID_INPUT", `Volume ${volume.name} is a root disk${instead}`, { fields: [{ field: "volume", message: "is a root disk" }] });
}
