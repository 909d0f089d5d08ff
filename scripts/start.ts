// `npm start`: migrates, seeds the demo, starts the controller and the demo host's agent, and
// stays in the foreground until Ctrl-C. scripts/bootstrap.sh has already installed what is missing.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createCore, ensureSetupToken, issueJoinToken, listHosts, listPools, operatorActor } from "@carve/core";
import { applyMigrations } from "@carve/db/migrate";
import { pino } from "pino";
import { seedDemo } from "../prisma/seed.ts";
import { writeDemoNode } from "./lib/demo-node.ts";
import { startCarveRedis } from "./lib/carve-redis.ts";
import { joinDemoHost } from "./lib/demo-join.ts";
import { buildPortal } from "./lib/portal-build.ts";
import { portalSessionSecret, startPortalService } from "./lib/portal-process.ts";
import { REPO_ROOT, startService, type TService } from "./lib/service.ts";
import { loadStartEnv } from "./start-env.ts";

const env = loadStartEnv();
const stateDir = env.CARVE_STATE_DIR;
const logDir = join(stateDir, "log");
mkdirSync(logDir, { recursive: true, mode: 0o700 });
const say = (line: string) => process.stdout.write(`${line}\n`);

const startedAt = performance.now();
// The portal's build (needed once, the slowest step) runs while the rest starts.
const portalBuild = buildPortal(join(logDir, "portal-build.log"));
portalBuild.catch(() => undefined);

// Carve's own Redis unless REDIS_URL names one: `default` off, a user for the control plane, one
// for joins, and (made by the controller) one per host.
const ownRedis = env.REDIS_URL
  ? null
  : await startCarveRedis({ stateDir, port: env.CARVE_REDIS_PORT, prefix: env.CARVE_QUEUE_PREFIX, logFile: join(logDir, "redis.log") }).catch((error: unknown) => {
      process.stderr.write(`carve: could not start Carve's Redis on port ${env.CARVE_REDIS_PORT} (${(error as Error).message}): is the port taken? Set CARVE_REDIS_PORT, or REDIS_URL to use a Redis of your own.\n`);
      process.exit(1);
    });
const redisUrl = env.REDIS_URL ?? ownRedis?.settings.redisUrl ?? "";
if (ownRedis) say(`carve: Carve's Redis is running on 127.0.0.1:${env.CARVE_REDIS_PORT} (default user off; credentials in ${join(stateDir, "redis")}, mode 0600)`);

await applyMigrations(env.DATABASE_URL);
say("carve: database migrated");
const core = createCore({ databaseUrl: env.DATABASE_URL, redisUrl, queuePrefix: env.CARVE_QUEUE_PREFIX, log: pino({ level: "silent" }) });
const demo = await writeDemoNode(join(stateDir, "demo"));
const { hostId } = await seedDemo(core, { hostName: "demo-host", uri: demo.uri, libvirtPool: demo.pool, poolPath: demo.poolPath, templateVolume: demo.templateVolume });
say("carve: demo seeded (host demo-host on libvirt's test driver, template tiny, offerings small and medium, network demo-lan)");
// No default password: while no administrator exists, a one-time token is printed here, once.
const setup = await ensureSetupToken(core);

const shared = {
  DATABASE_URL: env.DATABASE_URL,
  REDIS_URL: redisUrl,
  ...(ownRedis ? { CARVE_AGENT_REDIS_URL: ownRedis.settings.joinRedisUrl } : {}),
  CARVE_QUEUE_PREFIX: env.CARVE_QUEUE_PREFIX,
  LOG_LEVEL: env.LOG_LEVEL,
  ...(env.CARVE_SECRET_KEY ? { CARVE_SECRET_KEY: env.CARVE_SECRET_KEY } : {}),
};
const portalHost = env.CARVE_PORTAL_HOST.includes(":") ? `[${env.CARVE_PORTAL_HOST}]` : env.CARVE_PORTAL_HOST;
const portalUrl = `http://${portalHost}:${env.CARVE_PORTAL_PORT}`;
const consoleUrl = `ws://${portalHost}:${env.CARVE_CONSOLE_PORT}/console`;
const sessionSecret = portalSessionSecret(stateDir);
const services: TService[] = [];
let stopping = false;
const stopAll = async () => {
  stopping = true;
  for (const service of [...services].reverse()) await service.stop();
  await core.close();
  await ownRedis?.service.stop();
};
process.on("SIGINT", () => void stopAll().then(() => process.exit(0)));
process.on("SIGTERM", () => void stopAll().then(() => process.exit(0)));

try {
  services.push(await startService({ name: "controller", entry: "apps/controller/src/main.ts", env: { ...shared, CARVE_TEMPLATE_STORE: join(stateDir, "templates") }, logFile: join(logDir, "controller.log"), readyText: "controller ready" }));
  const agentFiles = { CARVE_CONSOLE_LOG_DIR: join(stateDir, "console"), CARVE_AGENT_DATA_DIR: join(stateDir, "agent") };
  // On Carve's own Redis the demo host joins as any host does and its agent runs as its own user.
  const joinDemo = async (joinRedisUrl: string) => {
    const { token } = await issueJoinToken(core, await operatorActor(core), { host: hostId });
    const logFile = join(logDir, "agent-demo-host.log");
    return { ...(await joinDemoHost({ token, joinRedisUrl, prefix: env.CARVE_QUEUE_PREFIX, uri: demo.uri, dataDir: agentFiles.CARVE_AGENT_DATA_DIR, logFile })), LOG_LEVEL: env.LOG_LEVEL };
  };
  const agentEnv = ownRedis ? await joinDemo(ownRedis.settings.joinRedisUrl) : { ...shared, CARVE_HOST_ID: hostId, CARVE_LIBVIRT_URI: demo.uri };
  services.push(await startService({ name: "agent", entry: "agent/src/main.ts", env: { ...agentEnv, ...agentFiles }, logFile: join(logDir, "agent-demo-host.log"), readyText: "agent ready" }));
  // The console proxy: the portal's pages open consoles on it (same host name, so the session cookie goes along).
  services.push(
    await startService({
      name: "console",
      entry: "apps/console/src/main.ts",
      env: { ...shared, NEXTAUTH_URL: portalUrl, NEXTAUTH_SECRET: sessionSecret, CARVE_CONSOLE_LISTEN: `${portalHost}:${env.CARVE_CONSOLE_PORT}` },
      logFile: join(logDir, "console.log"),
      readyText: "console proxy ready",
    }),
  );
  const buildMs = await portalBuild;
  say(buildMs === null ? "carve: portal build found (rebuild after changes: npm run build -w @carve/portal)" : `carve: portal built in ${(buildMs / 1000).toFixed(1)} s`);
  services.push(
    await startPortalService({
      host: env.CARVE_PORTAL_HOST,
      port: env.CARVE_PORTAL_PORT,
      env: { ...shared, NEXTAUTH_URL: portalUrl, NEXTAUTH_SECRET: sessionSecret, CARVE_CONSOLE_URL: consoleUrl },
      logFile: join(logDir, "portal.log"),
    }),
  );
  const deadline = Date.now() + 30_000;
  const operator = await operatorActor(core);
  const ready = async () =>
    (await listHosts(core, operator)).find((h) => h.id === hostId)?.state === "Up" &&
    (await listPools(core, operator)).every((p) => p.capacityReportedAt !== null);
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`demo-host did not come Up with its pool; see ${logDir}/agent-demo-host.log`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
} catch (error) {
  process.stderr.write(`carve: could not start: ${(error as Error).message}\n`);
  await stopAll();
  process.exit(1);
}

for (const service of services) {
  void service.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`carve: ${service.name} exited (code ${code}); see ${logDir}. Stopping.\n`);
    void stopAll().then(() => process.exit(1));
  });
}

say(`carve: ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s — controller, agent, console proxy and portal are running (logs in ${logDir}); Ctrl-C stops them.`);
say(`Open the portal: ${portalUrl}`);
say(`Console proxy (VM consoles in the browser): ${consoleUrl}`);
say("Next, in another terminal:");
say("  npx carve status");
say("  npx carve vm create demo --template tiny --offering small --wait");
say("  npx carve vm list");
say(`(state: ${stateDir}; repository: ${REPO_ROOT})`);
if (setup.status === "created") {
  say(`No administrator yet. Create one with this one-time token (shown only now; valid until ${setup.expiresAt.toISOString()}):`);
  say(`  npx carve admin setup --token ${setup.token} --username NAME --password-stdin`);
} else if (setup.status === "pending") {
  say("No administrator yet; a setup token was printed earlier. 'npx carve admin setup-token' prints a new one.");
}
