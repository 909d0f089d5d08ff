import type { Db, Tx } from "@carve/db";
import { z } from "zod";

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
  const rows = await db.setting.findMany({ where: { key: { in: Object.values(KEYS) } } });
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const candidate = { policy: value(KEYS.policy), poolThreshold: value(KEYS.poolThreshold) };
  const parsed = ZPlacementSettings.safeParse(candidate);
  return parsed.success ? parsed.data : ZPlacementSettings.parse({});
}

/** Stores placement settings (admin only; checked by the caller's use-case). */
export async function writePlacementSettings(db: Db | Tx, settings: Partial<TPlacementSettings>, actorId: string | null): Promise<void> {
  for (const [field, key] of Object.entries(KEYS) as [keyof TPlacementSettings, string][]) {
    const value = settings[field];
    if (value === undefined) continue;
    await db.setting.upsert({ where: { key }, create: { key, value, updatedBy: actorId }, update: { value, updatedBy: actorId } });
  }
}
