import type { CoreDeps } from "../context.ts";
import { listLiveHostIds } from "../hosts/list-live-host-ids.ts";
import { readLogLevels, type TLogLevels } from "./log-level-settings.ts";

/**
 * The controller's round for runtime log levels: reads the stored levels and hands the agents'
 * level to each host's queue when it changed since this process last did (`published`, kept by
 * the caller: host id → level sent). A fresh map sends to every host once, which also clears a
 * level left over from before. Returns the levels, so the caller can apply its own.
 */
export async function applyLogLevels(deps: CoreDeps, published: Map<string, string | null>): Promise<TLogLevels> {
  const levels = await readLogLevels(deps.db);
  const live = new Set(await listLiveHostIds(deps));
  for (const id of published.keys()) if (!live.has(id)) published.delete(id);
  for (const id of live) {
    if (published.has(id) && published.get(id) === levels.agent) continue;
    await deps.queues.setAgentLogLevel(id, levels.agent);
    published.set(id, levels.agent);
  }
  return levels;
}
