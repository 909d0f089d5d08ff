import type { Db, Tx } from "@carve/db";
import { z } from "zod";
import { readSettingGroup, writeSettingGroup } from "./setting-group.ts";

/** Storage knobs, stored as settings (`storage.migrationBandwidthMiBps`). */
export const ZStorageSettings = z.object({
  /** Cap on each storage migration's stream, in MiB/s; 0 = unlimited. */
  migrationBandwidthMiBps: z.number().int().min(0).max(1_000_000).default(0),
});
export type TStorageSettings = z.infer<typeof ZStorageSettings>;

const KEYS = { migrationBandwidthMiBps: "storage.migrationBandwidthMiBps" } as const;

/** The storage settings in force; a stored value that no longer parses falls back to its default. */
export async function readStorageSettings(db: Db | Tx): Promise<TStorageSettings> {
  const parsed = ZStorageSettings.safeParse(await readSettingGroup(db, KEYS));
  return parsed.success ? parsed.data : ZStorageSettings.parse({});
}

/** Stores storage settings (admin only; checked by the caller's use-case). */
export async function writeStorageSettings(db: Db | Tx, settings: Partial<TStorageSettings>, actorId: string | null): Promise<void> {
  await writeSettingGroup(db, KEYS, settings, actorId);
}
