import { CarveError } from "../../errors/index.ts";
import { requireAdmin, type TActor } from "../actor.ts";
import { disableAccount, type TOrphanVm } from "../disable-account.ts";
import { groupsOf, type TDirectoryGroup } from "./directory-groups.ts";
import { loadDirectory } from "./directory-settings.ts";
import { listDirectoryUsers, openServiceSession, toDirectoryUser } from "./directory-users.ts";
import { identityOptions, type TIdentityDeps } from "../identity-options.ts";
import { provisionDirectoryUser } from "./provision-directory-user.ts";

export interface TSyncReport {
  /** Enabled users the directory returned. */
  directoryUsers: number;
  created: string[];
  updated: number;
  reenabled: string[];
  /** Users disabled because the directory no longer has them enabled, with their live VMs. */
  disabled: { username: string; vms: TOrphanVm[] }[];
  /** Directory names that belong to local accounts (left alone). */
  conflicts: string[];
  /** Set when disabling was skipped as a safety measure, saying why. */
  warning: string | null;
  durationMs: number;
}

/**
 * Brings Carve's directory users in line with the directory (controller timer, or an admin on
 * demand): creates and updates users, their group memberships and roles; disables every
 * directory user the directory no longer returns as enabled (sessions, API keys and Slack stop
 * at once) and lists their VMs. If the directory cannot be read nothing is disabled, and an
 * empty answer while Carve knows directory users is treated as a configuration mistake.
 */
export async function syncDirectory(deps: TIdentityDeps, actor: TActor): Promise<TSyncReport> {
  requireAdmin(actor, "synchronise the directory");
  const started = performance.now();
  const options = identityOptions(deps);
  const directory = await loadDirectory(deps.db, options.secretKey);
  if (!directory) throw new CarveError("DIRECTORY_MISCONFIGURED", "No directory is configured (or it is switched off). Configure one with 'carve directory set'.");
  if (!directory.config.bindDn) throw new CarveError("DIRECTORY_MISCONFIGURED", "Directory sync needs a service account to list users: set bindDn and its password with 'carve directory set'.");
  const report: TSyncReport = { directoryUsers: 0, created: [], updated: 0, reenabled: [], disabled: [], conflicts: [], warning: null, durationMs: 0 };

  const session = await openServiceSession(directory, options.ldapTimeoutMs);
  const seen = new Set<string>();
  try {
    const parents = new Map<string, TDirectoryGroup[]>();
    for (const entry of await listDirectoryUsers(session, directory.config)) {
      const du = toDirectoryUser(entry, directory.config);
      if (!du || seen.has(du.username)) continue;
      seen.add(du.username);
      const groups = await groupsOf(session, directory.config, { entry, username: du.username }, parents);
      const result = await deps.db.$transaction((tx) => provisionDirectoryUser(tx, du, groups));
      if (result.kind === "conflict") report.conflicts.push(du.username);
      else if (result.created) report.created.push(du.username);
      else report.updated++;
      if (result.kind === "ok" && result.reenabled) report.reenabled.push(du.username);
    }
  } finally {
    await session.close();
  }
  report.directoryUsers = seen.size;

  const gone = await deps.db.user.findMany({ where: { source: "Ldap", disabledAt: null, username: { notIn: [...seen] } }, select: { id: true, username: true } });
  if (seen.size === 0 && gone.length > 0) {
    report.warning = `The directory returned no users, so none of the ${gone.length} directory users was disabled: check userBase and userFilter ('carve directory show').`;
    deps.log.warn({ known: gone.length }, "directory sync: the directory returned no users; disabling nobody");
  } else {
    for (const user of gone) {
      const vms = await deps.db.$transaction((tx) => disableAccount(tx, actor, user, "directory", deps.now()));
      report.disabled.push({ username: user.username, vms });
    }
  }
  report.durationMs = Math.round(performance.now() - started);
  deps.log.info({ ...report, created: report.created.length, disabled: report.disabled.map((d) => ({ user: d.username, vms: d.vms.length })) }, "directory sync done");
  return report;
}
