import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { LOG_LEVEL_PROCESSES, LOG_LEVELS, readLogLevels, writeLogLevel, type TLogLevels } from "./log-level-settings.ts";

/** The REST API's body as it is: no level only reads. */
export const ZSetLogLevelInput = z
  .object({
    /** A level, or "default" to go back to each process's LOG_LEVEL; absent: only read. */
    // One enum rather than a union with "default": a wrong-typed level is then named as such.
    level: z.enum([...LOG_LEVELS, "default"], { error: `must be one of ${LOG_LEVELS.join(", ")}, or default (the process's own LOG_LEVEL)` }).optional(),
    process: z.enum([...LOG_LEVEL_PROCESSES, "all"], { error: "must be controller, agent or all" }).default("all"),
  })
  .strict();

/**
 * Changes the log level of the running controllers, agents or both, without a restart (admins
 * only): the controller applies it within a round, agents within a heartbeat. Returns the levels
 * in force; without a level it only reads them.
 */
export async function setLogLevel(deps: CoreDeps, actor: TActor, input: unknown): Promise<TLogLevels> {
  requireAdmin(actor, "change log levels");
  const { level, process } = parseInput(ZSetLogLevelInput, input);
  if (level === undefined) return readLogLevels(deps.db);
  const targets = process === "all" ? LOG_LEVEL_PROCESSES : [process];
  const stored = level === "default" ? null : level;
  return deps.db.$transaction(async (tx) => {
    for (const target of targets) await writeLogLevel(tx, target, stored, actorId(actor));
    const what = `${targets.join(" and ")} log level`;
    await recordEvent(tx, { type: "settings.log-level", actor, message: stored ? `${what} set to ${stored}` : `${what} back to LOG_LEVEL`, data: { process, level } });
    return readLogLevels(tx);
  });
}
