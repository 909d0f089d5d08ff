import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CarveError } from "@carve/core";
import { z } from "zod";
import type { TEnv } from "../env.ts";

/** What `carve login` stores: the server and the API key every command then sends. */
const ZCredentials = z.object({ url: z.url(), key: z.string().min(1) });
export type TCredentials = z.infer<typeof ZCredentials>;

/** $XDG_CONFIG_HOME/carve/credentials.json (default ~/.config/carve/credentials.json). */
export function credentialsPath(env: Pick<TEnv, "XDG_CONFIG_HOME" | "HOME">): string {
  return join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), ".config"), "carve", "credentials.json");
}

/**
 * The stored credentials, or null when not logged in. A file other users can read or write is
 * refused (like ssh refuses such a key): the key in it may already be someone else's to use.
 */
export function readCredentials(path: string): TCredentials | null {
  let text: string;
  try {
    if ((statSync(path).mode & 0o077) !== 0) {
      throw new CarveError("FORBIDDEN", `${path} can be read or changed by other users of this machine; its API key may be exposed. Revoke the key ('carve apikey revoke' or the portal's Account page), remove the file, and 'carve login' again.`);
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const parsed = ZCredentials.safeParse(JSON.parse(text));
  if (!parsed.success) throw new CarveError("INVALID_INPUT", `${path} is not a Carve credentials file. Remove it ('carve logout') and 'carve login' again.`);
  return parsed.data;
}

/** Writes the credentials readable by the owner only (directory 0700, file 0600), replacing any. */
export function writeCredentials(path: string, credentials: TCredentials): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(credentials)}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(partial, 0o600); // whatever the umask
  renameSync(partial, path);
}

/** Removes the credentials; false when there were none. */
export function removeCredentials(path: string): boolean {
  try {
    statSync(path);
  } catch {
    return false;
  }
  rmSync(path, { force: true });
  return true;
}
