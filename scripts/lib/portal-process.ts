import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, startService, type TService } from "./service.ts";

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

/**
 * Starts the built portal on `host:port` through its own server (apps/portal/src/serve.ts: Next's
 * handler behind a Node server that knows each request's socket address); resolves once it is ready.
 */
export function startPortalService(options: { host: string; port: number; env: Record<string, string>; logFile: string }): Promise<TService> {
  return startService({
    name: "portal",
    entry: "apps/portal/src/serve.ts",
    args: ["--import", "tsx", join(REPO_ROOT, "apps", "portal", "src", "serve.ts"), "-H", options.host, "-p", String(options.port)],
    env: { NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...options.env },
    logFile: options.logFile,
    readyText: "Ready in",
  });
}
