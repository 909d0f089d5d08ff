import type { Db, Tx } from "@carve/db";
import { z } from "zod";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const ZLogLevel = z.enum(LOG_LEVELS, "must be one of fatal, error, warn, info, debug, trace, silent");
export type TLogLevel = z.infer<typeof ZLogLevel>;

/** The processes whose level can be changed at runtime (the controller and every agent). */
export const LOG_LEVEL_PROCESSES = ["controller", "agent"] as const;
export type TLogLevelProcess = (typeof LOG_LEVEL_PROCESSES)[number];

/** Per process, the level an admin set at runtime; null: each process runs at its own LOG_LEVEL. */
export type TLogLevels = Record<TLogLevelProcess, TLogLevel | null>;

const KEYS: Record<TLogLevelProcess, string> = { controller: "log.level.controller", agent: "log.level.agent" };

/** The runtime log levels; a stored value that no longer parses counts as unset. */
export async function readLogLevels(db: Db | Tx): Promise<TLogLevels> {
  const rows = await db.setting.findMany({ where: { key: { in: Object.values(KEYS) } }, select: { key: true, value: true } });
  const level = (process: TLogLevelProcess): TLogLevel | null => {
    const parsed = ZLogLevel.safeParse(rows.find((r) => r.key === KEYS[process])?.value);
    return parsed.success ? parsed.data : null;
  };
  return { controller: level("controller"), agent: level("agent") };
}

/** Stores one process's runtime level; null removes it (admin only; checked by the caller's use-case). */
export async function writeLogLevel(db: Db | Tx, process: TLogLevelProcess, level: TLogLevel | null, actorId: string | null): Promise<void> {
  const key = KEYS[process];
  if (level === null) await db.setting.deleteMany({ where: { key } });
  else await db.setting.upsert({ where: { key }, create: { key, value: level, updatedBy: actorId }, update: { value: level, updatedBy: actorId } });
}
