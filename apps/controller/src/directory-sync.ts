import { getDirectoryView, isCarveError, pruneSignInRecords, SYSTEM_ACTOR, syncDirectory, type TIdentityDeps } from "@carve/core";
import type { Logger } from "pino";

/**
 * The controller's directory timer: every `everyMs`, syncs users and groups from the directory
 * (when one is configured with a service account), forgets stale sign-in failure counts and
 * deletes portal sessions that ended or expired a week ago.
 * A failed round is logged and retried next round; it never stops the controller, and a
 * directory that cannot be read disables nobody.
 */
export function startDirectorySync(deps: TIdentityDeps, log: Logger, everyMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const round = async () => {
    try {
      await pruneSignInRecords(deps);
      const view = await getDirectoryView(deps, SYSTEM_ACTOR);
      if (!view.config?.enabled || !view.config.bindDn) return;
      const report = await syncDirectory(deps, SYSTEM_ACTOR);
      for (const { username, vms } of report.disabled) {
        log.warn({ username, vms: vms.map((v) => v.name) }, "directory sync disabled a user; their VMs are listed for an admin ('carve user list --disabled')");
      }
      if (report.warning) log.warn({ warning: report.warning }, "directory sync disabled nobody");
    } catch (err) {
      if (isCarveError(err) && err.expected) log.warn({ code: err.code, message: err.message }, "directory sync failed; retrying next round");
      else log.error({ err }, "directory sync failed; retrying next round");
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(schedule);
    }, everyMs);
  };

  running = round().finally(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
