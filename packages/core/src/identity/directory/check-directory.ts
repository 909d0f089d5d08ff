import { CarveError } from "../../errors/index.ts";
import { requireAdmin, type TActor } from "../actor.ts";
import { loadDirectory } from "./directory-settings.ts";
import { listDirectoryUsers, openServiceSession } from "./directory-users.ts";
import { identityOptions, type TIdentityDeps } from "../identity-options.ts";

/**
 * Tries the saved directory settings without changing anything (`carve directory test`):
 * connects (TLS as configured), binds as the service account and counts the users it would
 * sync. Throws the same CarveError a sign-in would meet (unreachable, TLS, settings).
 */
export async function checkDirectory(deps: TIdentityDeps, actor: TActor): Promise<{ url: string; users: number; ms: number }> {
  requireAdmin(actor, "test the directory settings");
  const started = performance.now();
  const options = identityOptions(deps);
  const directory = await loadDirectory(deps.db, options.secretKey);
  if (!directory) throw new CarveError("DIRECTORY_MISCONFIGURED", "No directory is configured (or it is switched off). Configure one with 'carve directory set'.");
  const session = await openServiceSession(directory, options.ldapTimeoutMs);
  try {
    const users = directory.config.bindDn ? (await listDirectoryUsers(session, directory.config)).length : 0;
    return { url: directory.config.url, users, ms: Math.round(performance.now() - started) };
  } finally {
    await session.close();
  }
}
