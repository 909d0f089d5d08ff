import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createCore, waitForJob, type TActor, type TCore } from "@carve/core";
import { createTestDatabase } from "@carve/db/testing";
import { pino } from "pino";
import { REPO_ROOT, startService, type TService } from "../../../scripts/lib/service.ts";

export const REDIS_URL = process.env["CARVE_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";

export interface TStackOptions {
  redisUrl?: string;
  /** The queue prefix (default: a fresh one), e.g. the one a TestRedis's ACL file was written for. */
  prefix?: string;
  /** Controller sweep period; short in tests so outcomes land quickly. */
  sweepMs?: number;
  /** More controller settings, e.g. a short CARVE_HOST_GRACE_MS or CARVE_RECONCILE_MS. */
  controllerEnv?: Record<string, string>;
}

/**
 * A Carve control plane for one test file: a fresh database, a unique queue prefix, a core client
 * in the test process, and the controller and agents as real child processes.
 */
export class Stack {
  readonly prefix: string;
  readonly dir: string;
  readonly redisUrl: string;
  core!: TCore;
  databaseUrl = "";
  controller: TService | null = null;
  readonly agents = new Map<string, TService>();
  private dropDatabase: () => Promise<void> = async () => undefined;

  constructor(private readonly options: TStackOptions = {}) {
    this.prefix = options.prefix ?? newStackPrefix();
    this.redisUrl = options.redisUrl ?? REDIS_URL;
    this.dir = join(REPO_ROOT, "var", "test-stack", this.prefix);
    mkdirSync(this.dir, { recursive: true });
  }

  async init(): Promise<this> {
    const database = await createTestDatabase();
    await database.db.$disconnect();
    this.databaseUrl = database.url;
    this.dropDatabase = database.drop;
    this.core = createCore({ databaseUrl: this.databaseUrl, redisUrl: this.redisUrl, queuePrefix: this.prefix, log: pino({ level: "silent" }) });
    return this;
  }

  private baseEnv(): Record<string, string> {
    return { DATABASE_URL: this.databaseUrl, REDIS_URL: this.redisUrl, CARVE_QUEUE_PREFIX: this.prefix, LOG_LEVEL: "info" };
  }

  async startController(): Promise<TService> {
    this.controller = await startService({
      name: "controller",
      entry: "apps/controller/src/main.ts",
      env: { ...this.baseEnv(), CARVE_SWEEP_MS: String(this.options.sweepMs ?? 300), CARVE_TEMPLATE_STORE: join(this.dir, "templates"), ...this.options.controllerEnv },
      logFile: join(this.dir, "controller.log"),
      readyText: "controller ready",
    });
    return this.controller;
  }

  async startAgent(hostId: string, uri: string, extraEnv: Record<string, string> = {}): Promise<TService> {
    const agent = await startService({
      name: `agent ${hostId}`,
      entry: "agent/src/main.ts",
      env: { ...this.baseEnv(), CARVE_HOST_ID: hostId, CARVE_LIBVIRT_URI: uri, CARVE_CONSOLE_LOG_DIR: join(this.dir, "console"), CARVE_AGENT_DATA_DIR: join(this.dir, `agent-data-${hostId}`), CARVE_AGENT_MIGRATION_LISTEN: "127.0.0.1:0", CARVE_AGENT_CONSOLE_LISTEN: "127.0.0.1:0", ...extraEnv },
      logFile: join(this.dir, `agent-${hostId}.log`),
      readyText: "agent ready",
    });
    this.agents.set(hostId, agent);
    return agent;
  }

  /** Waits until the controller has seen every host's heartbeat and every pool's capacity. */
  async waitForHostsUp(timeoutMs = 30_000): Promise<void> {
    await until(
      async () =>
        (await this.core.db.host.count({ where: { state: { not: "Up" } } })) === 0 &&
        (await this.core.db.storagePool.count({ where: { capacityReportedAt: null } })) === 0,
      timeoutMs,
      "hosts to be Up and their pools to report capacity",
    );
  }

  /** Runs a job to its end through the real controller; returns it. */
  async finish(actor: TActor, jobId: string, timeoutMs = 120_000) {
    return waitForJob(this.core, actor, jobId, { timeoutMs, pollMs: 100 });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.stop()));
    await this.controller?.stop();
    await this.core.close();
    await this.dropDatabase();
  }
}

/** A queue prefix no other test file uses. */
export function newStackPrefix(): string {
  return `carve-test-${randomBytes(4).toString("hex")}`;
}

/** Polls `check` until it holds, failing with what was awaited. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
