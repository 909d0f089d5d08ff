import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { createTestDatabase } from "@carve/db/testing";
import { REPO_ROOT } from "../../scripts/lib/service.ts";
import { freePort, sendWithoutAuth } from "../lib/stack/redis-server.ts";

const id = randomBytes(4).toString("hex");
const portalPort = await freePort();
const redisPort = await freePort();
const consolePort = await freePort();
const database = await createTestDatabase();
await database.db.$disconnect();
const env = {
  ...process.env,
  DATABASE_URL: database.url,
  CARVE_QUEUE_PREFIX: `npm-start-${id}`,
  CARVE_STATE_DIR: join(REPO_ROOT, "var", "test-stack", `npm-start-${id}`),
  CARVE_PORTAL_PORT: String(portalPort),
  CARVE_REDIS_PORT: String(redisPort),
  CARVE_CONSOLE_PORT: String(consolePort),
};
// `npm start` leads its own process group so that it and everything it started can be stopped.
const start = spawn("npm", ["start"], { cwd: REPO_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
let output = "";
start.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
start.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
const exited = new Promise<number | null>((resolve) => start.once("exit", resolve));

afterAll(async () => {
  if (start.exitCode === null && start.pid) process.kill(-start.pid, "SIGTERM");
  await exited;
  await database.drop();
});

it("`npm start` starts the portal too, then `npx carve vm create demo --template tiny --offering small --wait` prints a Running VM", async () => {
  // A first run also builds the portal (next build).
  const deadline = Date.now() + 300_000;
  while (!output.includes("carve: ready")) {
    if (Date.now() > deadline || start.exitCode !== null) throw new Error(`npm start did not get ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(output).toContain("npx carve vm create demo --template tiny --offering small --wait");
  console.info(output.split("\n").filter((line) => /portal built|portal build found|ready in/.test(line)).join("\n"));
  // The portal is up too, at the address the next steps print.
  const portalUrl = `http://127.0.0.1:${portalPort}`;
  expect(output).toContain(`Open the portal: ${portalUrl}`);
  const signIn = await fetch(`${portalUrl}/signin`);
  expect(signIn.status).toBe(200);
  // So is the console proxy: a plain request (not a WebSocket from the portal's pages) is told what it is.
  expect(output).toContain(`Console proxy (VM consoles in the browser): ws://127.0.0.1:${consolePort}/console`);
  expect((await fetch(`http://127.0.0.1:${consolePort}/console`)).status).toBe(426);
  expect(await signIn.text()).toContain("Sign in");

  // Carve's own Redis: nothing without credentials; its passwords in an owner-only file.
  expect(await sendWithoutAuth(redisPort, [["PING"]])).toEqual([expect.stringMatching(/^-NOAUTH/)]);
  expect((await stat(join(env.CARVE_STATE_DIR, "redis", "redis.json"))).mode & 0o077).toBe(0);

  const { stdout } = await promisify(execFile)("npx", ["carve", "vm", "create", "demo", "--template", "tiny", "--offering", "small", "--wait"], { cwd: REPO_ROOT, env });
  // On the demo's default network, with the first address of its range.
  expect(stdout.split("\n")[1]).toMatch(/^demo\s+Running\s+10\.123\.0\.10\s+demo-host\s+tiny\s+small\s+operator\s/);

  // Ctrl-C (SIGINT to the whole process group) stops everything npm start started, cleanly.
  process.kill(-(start.pid ?? 0), "SIGINT");
  await exited;
  const groupAlive = () => {
    try {
      process.kill(-(start.pid ?? 0), 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let waited = 0; groupAlive() && waited < 20_000; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
  expect(groupAlive()).toBe(false);
  expect(output).not.toMatch(/exited \(code/);
}, 400_000);

