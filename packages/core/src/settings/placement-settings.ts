import type { Db, Tx } from "@carve/db";
import { z } from "zod";
import { readSettingGroup, writeSettingGroup } from "./setting-group.ts";

/** Placement's knobs, stored as settings (`placement.policy`, `placement.poolThreshold`). */
export const ZPlacementSettings = z.object({
  /** spread: the emptiest host first; pack: the fullest host that still fits first. */
  policy: z.enum(["spread", "pack"]).default("spread"),
  /** Highest share of a pool's capacity placement may promise. */
  poolThreshold: z.number().min(0.1).max(1).default(0.85),
});
export type TPlacementSettings = z.infer<typeof ZPlacementSettings>;

const KEYS = { policy: "placement.policy", poolThreshold: "placement.poolThreshold" } as const;

/** The placement settings in force; a stored value that no longer parses falls back to its default. */
export async function readPlacementSettings(db: Db | Tx): Promise<TPlacementSettings> {
  const parsed = ZPlacementSettings.safeParse(await readSettingGroup(db, KEYS));
  return parsed.success ? parsed.data : ZPlacementSettings.parse({});
}

/** How long a process may use placement settings it read: a changed policy applies within this. */
const CACHE_MS = 1_000;
const cache = new WeakMap<Db, { at: number; settings: Promise<TPlacementSettings> }>();

/**
 * The placement settings, read at most once a second per process: every create needs them, and
 * they change rarely (an admin's change applies to creates starting a second later).
 */
export function cachedPlacementSettings(deps: { db: Db; now: () => Date }): Promise<TPlacementSettings> {
  const now = deps.now().getTime();
  const hit = cache.get(deps.db);
  if (hit && now - hit.at >= 0 && now - hit.at < CACHE_MS) return hit.settings;
  const settings = readPlacementSettings(deps.db);
  cache.set(deps.db, { at: now, settings });
  settings.catch(() => cache.delete(deps.db));
  return settings;
}

/** Drops this process's cached settings (after it changed them). */
export function forgetPlacementSettings(db: Db): void {
  cache.delete(db);
}

/** Stores placement settings (admin only; checked by the caller's use-case). */
export async function writePlacementSettings(db: Db | Tx, settings: Partial<TPlacementSettings>, actorId: string | null): Promise<void> {
  await writeSettingGroup(db, KEYS, settings, actorId);
}
