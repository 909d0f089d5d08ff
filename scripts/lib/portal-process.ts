import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NEXT_BIN, PORTAL_DIR } from "./portal-build.ts";
import { startService, type TService } from "./service.ts";

/**
 * The secret next-auth signs session cookies with: kept in the state directory (owner-only) so a
 * restart does not sign everyone out.
 */
export function portalSessionSecret(stateDir: string): string {
  const file = join(stateDir, "portal-session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Starts the built portal (`next start`) on `host:port`; resolves once it is ready. */
export function startPortalService(options: { host: string; port: number; env: Record<string, string>; logFile: string }): Promise<TService> {
  return startService({
    name: "portal",
    entry: "apps/portal",
    args: [NEXT_BIN, "start", PORTAL_DIR, "-H", options.host, "-p", String(options.port)],
    env: { NEXT_TELEMETRY_DISABLED: "1", ...options.env },
    logFile: options.logFile,
    readyText: "Ready in",
  });
}
