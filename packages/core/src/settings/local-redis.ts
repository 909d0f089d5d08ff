import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/**
 * `npm start` runs Carve's own Redis (scripts/lib/carve-redis.ts) with `default` off, and keeps
 * its client URLs in this owner-only file of its state directory, so that the CLI on the same
 * machine finds them the way it finds the demo's database (like psql reading ~/.pgpass).
 */
export const ZLocalRedisFile = z.object({
  /** The control plane's URL, with its user and password. */
  redisUrl: z.string(),
  /** What join commands print: the join user's URL. */
  joinRedisUrl: z.string(),
  controlPassword: z.string(),
  joinPassword: z.string(),
});
export type TLocalRedisFile = z.infer<typeof ZLocalRedisFile>;

export const localRedisFile = (stateDir: string): string => join(stateDir, "redis", "redis.json");

/** The file's contents, or null when npm start has not made one (or it is unreadable). */
export function readLocalRedis(stateDir: string): TLocalRedisFile | null {
  try {
    return ZLocalRedisFile.parse(JSON.parse(readFileSync(localRedisFile(stateDir), "utf8")));
  } catch {
    return null;
  }
}
