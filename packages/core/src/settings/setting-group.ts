import type { Db, Prisma, Tx } from "@carve/db";

/** A group of settings: each field of a settings object and the Setting key it is stored under. */
export type TSettingKeys<F extends string> = Readonly<Record<F, string>>;

/**
 * The stored values of a group of settings, by field (undefined where nothing is stored), in one
 * query. Each group parses them with its own schema and decides how to fall back to defaults.
 */
export async function readSettingGroup<F extends string>(db: Db | Tx, keys: TSettingKeys<F>): Promise<Record<F, Prisma.JsonValue | undefined>> {
  const rows = await db.setting.findMany({ where: { key: { in: Object.values<string>(keys) } }, select: { key: true, value: true } });
  const stored = new Map(rows.map((row) => [row.key, row.value]));
  const fields = Object.keys(keys) as F[];
  return Object.fromEntries(fields.map((field) => [field, stored.get(keys[field])])) as Record<F, Prisma.JsonValue | undefined>;
}

/** Stores the fields given of a group of settings (admin only: checked by the caller's use-case); the others stay as they are. */
export async function writeSettingGroup<F extends string>(db: Db | Tx, keys: TSettingKeys<F>, values: { [K in F]?: Prisma.InputJsonValue }, actorId: string | null): Promise<void> {
  for (const field of Object.keys(keys) as F[]) {
    const value = values[field];
    if (value === undefined) continue;
    const key = keys[field];
    await db.setting.upsert({ where: { key }, create: { key, value, updatedBy: actorId }, update: { value, updatedBy: actorId } });
  }
}
