import type { Db, Tx } from "@carve/db";
import { z } from "zod";
import { readSettingGroup, writeSettingGroup } from "./setting-group.ts";

/** Live migration's knobs, stored as settings (`migration.timeoutSec`). */
export const ZMigrationSettings = z.object({
  /**
   * A live migration still running after this many seconds is aborted; the VM stays on its source.
   * At most an hour: the job watchdog gives up on any job after two (DEFAULT_JOB_STUCK_MS).
   */
  timeoutSec: z.number().int().min(10).max(3600).default(1800),
});
export type TMigrationSettings = z.infer<typeof ZMigrationSettings>;

const KEYS = { timeoutSec: "migration.timeoutSec" } as const;

/** The migration settings in force; a stored value that no longer parses falls back to its default. */
export async function readMigrationSettings(db: Db | Tx): Promise<TMigrationSettings> {
  const parsed = ZMigrationSettings.safeParse(await readSettingGroup(db, KEYS));
  return parsed.success ? parsed.data : ZMigrationSettings.parse({});
}

/** Stores migration settings (admin only; checked by the caller's use-case). */
export async function writeMigrationSettings(db: Db | Tx, settings: Partial<TMigrationSettings>, actorId: string | null): Promise<void> {
  await writeSettingGroup(db, KEYS, settings, actorId);
}
