import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSshKey, CarveError, createVm, resetVmPassword, revealVmPassword, withIdentity, type TActor, type TIdentityDeps } from "@carve/core";
import { domainName } from "@carve/protocol";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICyFATPv1+3bazrTlNUFlORc3c5smPOocK6U7Tpr7Jed dev@laptop";

let stack: Stack;
let deps: TIdentityDeps;
let admin: TActor;
let dev: TActor;
let hostId: string;

beforeAll(async () => {
  stack = await new Stack().init();
  deps = withIdentity(stack.core, { secretKey: randomBytes(32) });
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  const [host] = await addTestHosts(stack, admin, { count: 1 });
  hostId = host?.id ?? "";
  await stack.core.db.template.update({ where: { name: "tiny" }, data: { supportsPasswordReset: true, supportsCloudInit: true } });
  // The agent was never joined: its key reaches the host row through its heartbeat.
  await until(async () => (await stack.core.db.host.findUniqueOrThrow({ where: { id: hostId } })).sealKey !== null, 20_000, "the agent's key to be recorded from its heartbeat");
});

afterAll(async () => {
  await stack?.stop();
});

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof CarveError)) throw new Error(`expected a CarveError, got ${String(error)}`);
  return error;
}

/** Every value of every Redis key under the stack's prefix, whatever its type. */
async function redisDump(): Promise<string> {
  const redis = new Redis(stack.redisUrl);
  const parts: string[] = [];
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${stack.prefix}*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === "string" ? await redis.get(key)
          : type === "hash" ? await redis.hgetall(key)
          : type === "list" ? await redis.lrange(key, 0, -1)
          : type === "set" ? await redis.smembers(key)
          : type === "zset" ? await redis.call("ZRANGE", key, "0", "-1", "WITHSCORES")
          : type === "stream" ? await redis.xrange(key, "-", "+")
          : `unhandled type ${type}`; // prettier-ignore
        parts.push(`${key} ${type} ${JSON.stringify(value)}`);
      }
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
  return parts.join("\n");
}

/** The stack's database as pg_dump writes it (schema and every row). */
function databaseDump(): string {
  return execFileSync("pg_dump", ["--no-owner", stack.databaseUrl], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

/** The log files of every process the stack started (controller and agents). */
function processLogs(): string {
  const files = readdirSync(stack.dir).filter((f) => f.endsWith(".log"));
  expect(files.some((f) => f.startsWith("controller")) && files.some((f) => f.startsWith("agent-"))).toBe(true);
  return files.map((f) => readFileSync(join(stack.dir, f), "utf8")).join("\n");
}

describe("guest access through the full stack (controller and agent processes, libvirt's test driver)", () => {
  it("resets a running VM's password, shows it once, and leaves no trace of it in Redis, PostgreSQL or any log", async () => {
    await addSshKey(stack.core, dev, { name: "laptop", publicKey: KEY });
    const created = await createVm(deps, dev, { name: "pw-1", template: "tiny", offering: "small", sshKeys: ["laptop"], firstPassword: true });
    expect((await stack.finish(dev, created.job.id)).state).toBe("Succeeded");
    const first = await revealVmPassword(deps, dev, { revealId: created.passwordReveal?.revealId });

    const reset = await resetVmPassword(deps, dev, { vm: "pw-1" });
    const job = await stack.finish(dev, reset.job.id);
    expect(job.state).toBe("Succeeded");
    expect(job.result).toEqual({ vmId: created.vm.id, user: "root" });

    const shown = await revealVmPassword(deps, dev, { vm: "pw-1" });
    expect(shown).toMatchObject({ vmName: "pw-1", user: "root" });
    expect(shown.password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(shown.password).not.toBe(first.password);
    const again = await refusal(revealVmPassword(deps, dev, { vm: "pw-1" }));
    expect(again.code).toBe("PASSWORD_NOT_AVAILABLE");
    expect(again.message).toMatch(/shown only once, within 10 minutes/);

    const redis = await redisDump();
    const database = databaseDump();
    const logs = processLogs();
    // The scans see the jobs: the sealed payload in Redis, the job rows, the agent's log lines.
    expect(redis).toContain(reset.job.id);
    expect(redis).toContain('\\"password\\":{\\"publicKey\\"');
    expect(database).toContain(reset.job.id);
    expect(logs).toContain(reset.job.id);
    for (const password of [first.password, shown.password]) {
      expect(redis).not.toContain(password);
      expect(database).not.toContain(password);
      expect(logs).not.toContain(password);
    }
  });

  it("the NoCloud seed the agent attached holds the user's key and the hostname", async () => {
    const created = await createVm(deps, dev, { name: "seeded-1", template: "tiny", offering: "small", sshKeys: ["laptop"] });
    expect((await stack.finish(dev, created.job.id)).state).toBe("Succeeded");
    const iso = join(stack.dir, `agent-data-${hostId}`, "seeds", `${domainName(created.vm.id)}-seed.iso`);
    const read = (name: string) => execFileSync("isoinfo", ["-R", "-i", iso, "-x", `/${name}`], { encoding: "utf8" });
    expect(read("meta-data")).toContain('local-hostname: "seeded-1"');
    expect(read("user-data")).toContain(`hostname: "seeded-1"`);
    expect(read("user-data")).toContain(`ssh_authorized_keys:\n  - "${KEY}"`);
  });

  it("refuses a password reset when the VM's template does not support it, naming what it needs", async () => {
    await stack.core.db.template.update({ where: { name: "tiny" }, data: { supportsPasswordReset: false } });
    const error = await refusal(resetVmPassword(deps, dev, { vm: "pw-1" }));
    expect(error.code).toBe("GUEST_FEATURE_UNSUPPORTED");
    expect(error.message).toMatch(/template tiny does not support password reset\. That needs qemu-guest-agent installed and running in the guest/);
  });
});
