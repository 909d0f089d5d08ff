/**
 * The console proxy's cost (issue 18, Measure), run by hand:
 *   node --import tsx test/bench/console.ts [--consoles 1,4,16] [--seconds 10] [--rate 30] [--update-kib 16]
 * Starts a stack (database, Redis, controller, one test:/// agent whose VM display is a UNIX socket
 * this script serves, CARVE_CONSOLE_SOCKET_DIR) and the REAL proxy as its own process
 * (apps/console/src/main.ts: core's attachConsole, TLS-PSK to the agent). Then, in one run: the
 * proxy idle for T seconds (the baseline), and for each N, N signed-in browsers (ws clients with the
 * portal's session cookie) each open a console and the display streams `rate` updates of
 * `update-kib` KiB a second to each for T seconds. Prints the proxy's CPU (utime+stime from /proc)
 * per open console and per MiB relayed, and the time from presenting a link to the display's first
 * byte. Prints figures, asserts nothing; removes everything it started.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createVm, openConsole } from "@carve/core";
import { domainName } from "@carve/protocol";
import { openConsoleSocket, portalSessionCookie, presentConsoleLink, type TConsoleClient } from "../../apps/console/src/testing/console-client.ts";
import { startService } from "../../scripts/lib/service.ts";
import { freePort } from "../lib/stack/redis-server.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";
import { cleanupAll, cleanupOnSignals, onCleanup } from "./cleanup.ts";
import { cpuMeter } from "./cpu.ts";
import { latencyLine, row, summarize } from "./stats.ts";

const PORTAL = "http://127.0.0.1:3000";
const SECRET = randomBytes(32).toString("base64");
const out = (line = "") => console.log(line);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const { values } = parseArgs({
  options: { consoles: { type: "string", default: "1,4,16" }, seconds: { type: "string", default: "10" }, rate: { type: "string", default: "30" }, "update-kib": { type: "string", default: "16" } },
});
const counts = values.consoles.split(",").map(Number);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const updateBytes = Number(values["update-kib"]) * 1024;
if (counts.some((n) => !Number.isInteger(n) || n < 1) || !(seconds > 0) || !(rate > 0) || !(updateBytes > 0)) {
  console.error("usage: node --import tsx test/bench/console.ts [--consoles 1,4,16] [--seconds 10] [--rate 30] [--update-kib 16]");
  process.exit(2);
}

/**
 * A VM's display on a UNIX socket: greets each stream with RFB's version line, and while `streaming`
 * sends every stream `rate` updates a second (random bytes: TLS gains nothing from compressing them).
 */
async function startStreamingDisplay(path: string) {
  const streams = new Set<Socket>();
  const update = randomBytes(updateBytes);
  const server = createServer((socket) => {
    streams.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => streams.delete(socket));
    socket.write("RFB 003.008\n");
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  let timer: NodeJS.Timeout | undefined;
  return {
    stream(on: boolean) {
      clearInterval(timer);
      // A display that cannot keep up drops frames rather than queueing them (as a VNC server does).
      if (on) timer = setInterval(() => streams.forEach((s) => s.writableLength < 4 * updateBytes && s.write(update)), 1000 / rate);
    },
    close: () => {
      clearInterval(timer);
      streams.forEach((s) => s.destroy());
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  cleanupOnSignals();
  const sockets = await mkdtemp("/tmp/cb-");
  onCleanup("remove the display's directory", () => rm(sockets, { recursive: true, force: true }));
  const stack = await new Stack().init();
  onCleanup("remove the stack's logs", () => rm(stack.dir, { recursive: true, force: true }));
  onCleanup("stop the stack", () => stack.stop());
  const admin = await createUser(stack.core, "ops", "Admin");
  const dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  const [host] = await addTestHosts(stack, admin, { count: 1, agentEnv: { CARVE_CONSOLE_SOCKET_DIR: sockets } });
  if (!host) throw new Error("one host expected");
  await until(async () => (await stack.core.db.host.findUniqueOrThrow({ where: { id: host.id } })).consoleAddress !== null, 20_000, "the host's console address");
  const created = await createVm(stack.core, dev, { name: "web-1", template: "tiny", offering: "small" });
  await stack.finish(dev, created.job.id);
  const display = await startStreamingDisplay(join(sockets, `${domainName(created.vm.id)}.vnc`));
  onCleanup("close the display", () => display.close());

  const port = await freePort();
  const proxy = await startService({
    name: "console-proxy",
    entry: "apps/console/src/main.ts",
    env: { DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, CARVE_QUEUE_PREFIX: stack.prefix, NEXTAUTH_URL: PORTAL, NEXTAUTH_SECRET: SECRET, CARVE_CONSOLE_LISTEN: `127.0.0.1:${port}`, LOG_LEVEL: "info" },
    logFile: join(stack.dir, "console-proxy.log"),
    readyText: "console proxy ready",
  });
  onCleanup("stop the console proxy", () => proxy.stop());
  const proxyPid = proxy.child.pid ?? 0;
  const proxyCpu = () => cpuMeter(() => ({ proxy: [proxyPid] }));
  const url = `ws://127.0.0.1:${port}/console`;
  const cookie = await portalSessionCookie(stack.core, dev, SECRET);

  out(`Console proxy, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ${seconds} s per figure; each console's display sends ${rate} updates/s of ${updateBytes / 1024} KiB`);
  // The proxy answers its first consoles slower (JIT, connections to PostgreSQL and Redis): warm it up, unmeasured.
  for (let i = 0; i < 3; i++) {
    for (const { client } of await openConsoles(1)) {
      client.ws.close();
      await client.closed;
    }
  }

  const idle = proxyCpu();
  await sleep(seconds * 1000);
  const idleShare = idle.stop();
  const idleCores = (idleShare.seconds["proxy"] ?? 0) / idleShare.wallSeconds;
  out(row("proxy idle (no console open)", `${(idleCores * 1000).toFixed(1)} ms CPU/s`, `machine idle ${((idleShare.seconds["idle"] ?? 0) / idleShare.wallSeconds).toFixed(2)} of ${idleShare.cores} cores`));

  for (const n of counts) {
    const opened = await openConsoles(n);
    let bytes = 0;
    for (const { client } of opened) client.ws.on("message", (data: Buffer) => (bytes += data.length));
    const meter = proxyCpu();
    display.stream(true);
    await sleep(seconds * 1000);
    display.stream(false);
    const share = meter.stop();
    for (const { client } of opened) client.ws.close();
    const cores = (share.seconds["proxy"] ?? 0) / share.wallSeconds;
    const mib = bytes / share.wallSeconds / (1 << 20);
    out(
      row(
        `${n} console(s) streaming`,
        `${(cores * 1000).toFixed(0)} ms CPU/s; ${(((cores - idleCores) * 1000) / n).toFixed(1)} ms CPU/s per console above idle`,
        `${mib.toFixed(1)} MiB/s relayed, ${(((cores - idleCores) * 1000) / mib).toFixed(1)} ms CPU per MiB; machine idle ${((share.seconds["idle"] ?? 0) / share.wallSeconds).toFixed(2)} cores`,
      ),
    );
    out(row(`  link presented → ready (${n} at once)`, latencyLine(summarize(opened.map((o) => o.readyMs)))));
    out(row(`  link presented → display's first byte`, latencyLine(summarize(opened.map((o) => o.firstByteMs)))));
    await Promise.all(opened.map(({ client }) => client.closed));
  }

  /** N signed-in browsers open a console each, all at once; how long each took to ready and to the display's greeting. */
  async function openConsoles(n: number): Promise<{ client: TConsoleClient; readyMs: number; firstByteMs: number }[]> {
    return Promise.all(
      Array.from({ length: n }, async () => {
        const link = await openConsole(stack.core, { ...dev, via: "portal", origin: { clientAddr: "127.0.0.1" } }, { vm: "web-1" });
        const client = await openConsoleSocket(url, { origin: PORTAL, cookie });
        const started = performance.now();
        const answer = await presentConsoleLink(client, link.token);
        if (answer.type !== "ready") throw new Error(`the proxy refused a console: ${answer.code ?? ""} ${answer.message ?? ""}`);
        const readyMs = performance.now() - started;
        await client.next();
        return { client, readyMs, firstByteMs: performance.now() - started };
      }),
    );
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll(true));
