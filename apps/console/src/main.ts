import { attachConsole, createCore, createProcessLogger } from "@carve/core";
import { startConsoleServer } from "./console-server.ts";
import { loadEnv } from "./env.ts";
import type { TConnect } from "./relay.ts";

const env = loadEnv();
const log = createProcessLogger("console", env.LOG_LEVEL);
const core = createCore({ databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, queuePrefix: env.CARVE_QUEUE_PREFIX, log });

// The stream to the VM's display: core's attachConsole (TLS-PSK to the agent on the VM's host).
const connect: TConnect = (redeemed) => attachConsole(core, redeemed);

const server = await startConsoleServer(
  { deps: core, connect, log, portalUrl: env.NEXTAUTH_URL, sessionSecret: env.NEXTAUTH_SECRET, trustedProxies: env.CARVE_TRUSTED_PROXIES },
  env.CARVE_CONSOLE_LISTEN,
);
log.info({ url: server.url, origin: new URL(env.NEXTAUTH_URL).origin }, `console proxy ready on ${server.url}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal, open: server.openConsoles() }, "console proxy stopping");
  await server.close();
  await core.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
