import type { Db, Tx } from "@carve/db";
import { z } from "zod";
import { readSettingGroup, writeSettingGroup } from "./setting-group.ts";

/**
 * The fencing hook run before a host is declared dead (`fencing.command`, `fencing.timeoutSec`):
 * an argv array (never a shell line) to which Carve appends the host's name and address, e.g.
 * ["/usr/local/bin/ipmi-off", "--lan"]. Empty: no hook, the admin's confirmation alone counts.
 * Stored in plain text like any setting: BMC credentials go in the program's own config, not here.
 */
export const ZFencingSettings = z.object({
  command: z.array(z.string().min(1, "must not be empty").max(4096)).max(64).default([]),
  timeoutSec: z.number().int().min(1).max(600).default(60),
});
export type TFencingSettings = z.infer<typeof ZFencingSettings>;

const KEYS = { command: "fencing.command", timeoutSec: "fencing.timeoutSec" } as const;

/** The fencing settings in force; a stored value that no longer parses falls back to its default. */
export async function readFencingSettings(db: Db | Tx): Promise<TFencingSettings> {
  const parsed = ZFencingSettings.safeParse(await readSettingGroup(db, KEYS));
  return parsed.success ? parsed.data : ZFencingSettings.parse({});
}

/** Stores fencing settings (admin only; checked by the caller's use-case). */
export async function writeFencingSettings(db: Db | Tx, settings: Partial<TFencingSettings>, actorId: string | null): Promise<void> {
  await writeSettingGroup(db, KEYS, settings, actorId);
}
