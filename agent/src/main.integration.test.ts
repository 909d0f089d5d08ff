import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { hostHeartbeatKey } from "@carve/protocol";
import { writeTestNodeXml } from "./testing/index.ts";

const AGENT_DIR = fileURLToPath(new URL("..", import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts `npm start`'s command with the given environment and collects its output. */
function startAgentProcess(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: AGENT_DIR, env: { PATH: process.env.PATH ?? "", ...env } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  cleanups.push(async () => void child.kill("SIGKILL"));
  return { child, output: () => output };
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("the agent process", () => {
  it("logs one JSON 'agent ready' line, heartbeats, and exits 0 on SIGTERM", async () => {
    const node = await writeTestNodeXml();
    const hostId = randomUUID();
    const prefix = `carvetest-${randomUUID().slice(0, 8)}`;
    const redis = new Redis(REDIS_URL);
    cleanups.push(async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await rm(node.dir, { recursive: true, force: true });
    });
    const { child, output } = startAgentProcess({
      CARVE_HOST_ID: hostId,
      CARVE_LIBVIRT_URI: node.uri,
      REDIS_URL,
      CARVE_QUEUE_PREFIX: prefix,
      CARVE_AGENT_DATA_DIR: join(node.dir, "agent-data"),
    });
    const exited = exitOf(child);
    await waitFor(() => output().includes('"msg":"agent ready"'), "agent ready");
    const ready = output()
      .split("\n")
      .filter((line) => line.includes('"msg":"agent ready"'));
    expect(ready).toHaveLength(1);
    expect(JSON.parse(ready[0] ?? "{}")).toMatchObject({ hostId, queue: `host.${hostId}`, prefix, uri: node.uri });
    expect(await redis.pttl(hostHeartbeatKey(prefix, hostId))).toBeGreaterThan(0);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output()).toContain('"msg":"agent stopped"');
  });

  it("refuses to start with a bad setting, naming the variable", async () => {
    const { child, output } = startAgentProcess({ CARVE_HOST_ID: "not-a-uuid", CARVE_LIBVIRT_URI: "test:///default" });
    expect(await exitOf(child)).toBe(78);
    expect(output()).toContain("CARVE_HOST_ID must be the host's UUID");
  });

  it("refuses to start when libvirt cannot be opened, with libvirt's message", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "carve-agent-data-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { child, output } = startAgentProcess({ CARVE_HOST_ID: randomUUID(), CARVE_LIBVIRT_URI: "test:///nonexistent/node.xml", REDIS_URL, CARVE_AGENT_DATA_DIR: dataDir });
    expect(await exitOf(child)).toBe(1);
    expect(output()).toMatch(/the agent could not start: libvirt could not open test:\/\/\/nonexistent\/node.xml: .*nonexistent/);
  });
});
