import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { CONTROL_REDIS_USER, redisAclFile, redisUrlWith } from "@carve/core";
import { JOIN_REDIS_USER } from "@carve/protocol";
import { Redis } from "ioredis";

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

/**
 * Sends `commands` (RESP) to the Redis on `port` over one connection that never authenticates, as
 * any tool on the network could; resolves with the first line of each answer ("-NOAUTH …").
 */
export async function sendWithoutAuth(port: number, commands: string[][]): Promise<string[]> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
  const answered = new Promise<void>((resolve, reject) => {
    socket.on("data", () => received.split("\r\n").length > commands.length && resolve());
    socket.once("error", reject);
    socket.once("close", () => reject(new Error(`Redis on port ${port} closed the connection after: ${received}`)));
  });
  socket.write(commands.map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`).join(""));
  await answered;
  socket.destroy();
  return received.split("\r\n").slice(0, commands.length);
}

/**
 * A throwaway Redis with its append-only file on, fsynced on every write, so a kill -9 loses
 * nothing: what a production Redis behind BullMQ should look like. Restartable on the same port.
 * With `acl` (a queue prefix), it is locked down as Carve's own Redis is: `default` off, the
 * control plane's user and the join user from an ACL file (redisAclFile); then `url` carries the
 * control plane's credentials, `joinUrl` the join user's and `openUrl` none.
 */
export class TestRedis {
  private child: ChildProcess | null = null;
  private readonly passwords = { control: randomBytes(18).toString("base64url"), join: randomBytes(18).toString("base64url") };

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly aclPrefix: string | null,
  ) {}

  static async start(dir: string, options: { acl?: string } = {}): Promise<TestRedis> {
    mkdirSync(dir, { recursive: true });
    const redis = new TestRedis(await freePort(), dir, options.acl ?? null);
    if (redis.aclPrefix !== null) writeFileSync(redis.aclFile, redisAclFile(redis.aclPrefix, redis.passwords), { mode: 0o600 });
    await redis.restart();
    return redis;
  }

  private get aclFile(): string {
    return join(this.dir, "users.acl");
  }

  /** No credentials. */
  get openUrl(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The control plane's URL (with its credentials when the server has ACLs). */
  get url(): string {
    return this.aclPrefix === null ? this.openUrl : redisUrlWith(this.openUrl, CONTROL_REDIS_USER, this.passwords.control);
  }

  /** What join commands carry: the join user's URL (ACL servers only). */
  get joinUrl(): string {
    return redisUrlWith(this.openUrl, JOIN_REDIS_USER, this.passwords.join);
  }

  /** Every password of the server (for scanning logs and files for them). */
  get secrets(): string[] {
    return [this.passwords.control, this.passwords.join];
  }

  /** Starts the server (again) on the same port and data directory; resolves when it answers. */
  async restart(): Promise<void> {
    this.child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction", ...(this.aclPrefix === null ? [] : ["--aclfile", this.aclFile])],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on("error", () => undefined);
      // Any answer, NOAUTH included, means it is up.
      const ok = await probe.connect().then(() => probe.ping().then(() => true, (error: Error) => /NOAUTH/.test(error.message)), () => false);
      probe.disconnect();
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`test Redis on port ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills the server without letting it save anything (the append-only file is all that survives). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
}
