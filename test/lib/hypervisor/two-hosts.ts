import { randomBytes } from "node:crypto";
import { chown, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { addHost, addPool, addTemplate, createOffering, type TActor } from "@carve/core";
import { afterAll, beforeAll } from "vitest";
import { Stack } from "../stack/stack.ts";
import { createUser } from "../stack/users.ts";
import { CleanupStack } from "./cleanup.ts";
import { ensureDirPool, removeDirPool, type DirPool } from "./libvirtd.ts";
import { TINY_IMAGE_CACHE_DIR } from "./paths.ts";
import { importVolume } from "./pool-volumes.ts";
import { startRootDaemon } from "./root-daemon.ts";
import { ensureSessionUser, startSessionDaemon, type TSessionDaemon } from "./session-daemon.ts";
import { buildTinyImage } from "./tiny-image.ts";
import { virsh } from "./virsh.ts";

export interface TTwoHostsOptions {
  /** More agent settings for both agents (e.g. a migration port); per-host ones go in `agentEnvOf`. */
  agentEnv?: Record<string, string>;
  agentEnvOf?: (index: 0 | 1, uri: string) => Record<string, string>;
  /**
   * `session` (default): libvirtd session daemons as user carve-hv (no bridges, taps or nwfilter
   * rules). `root`: system-mode daemons, each in its own mount namespace (root-daemon.ts), for
   * guests on a shared Linux bridge with their filters.
   */
  daemons?: "session" | "root";
}

/**
 * Two real hypervisor "hosts" on this machine for a Carve stack: two libvirtd session daemons
 * (user carve-hv, each with its own XDG directories and host_uuid) or, with `daemons: "root"`, two
 * system-mode daemons in mount namespaces of their own (root-daemon.ts), each with a local directory
 * pool, and one directory both see registered as their Shared pool (the stand-in for NFS). The
 * tiny boot image is in all three pools as template `tiny`; offering `tiny` (1 vCPU, 128 MiB).
 * Both hosts are added through core and their agents started (Up before this resolves).
 *
 * `hosts[i].startAgent()` (re)starts host i's agent with the same settings, e.g. after a test
 * killed it. `cleanup.run()` stops the agents, destroys leftover domains, kills both daemons and
 * removes every directory.
 */
export async function addTwoRealHosts(stack: Stack, admin: TActor, options: TTwoHostsOptions = {}) {
  const cleanup = new CleanupStack();
  try {
    const root = options.daemons === "root";
    const user = root ? null : await ensureSessionUser();
    const image = await buildTinyImage(TINY_IMAGE_CACHE_DIR);
    const id = randomBytes(4).toString("hex");
    // Short and under /tmp, not the repository: QEMU's sockets below a session daemon's XDG
    // directories must stay under 108 bytes.
    const base = join("/tmp", `c2-${id.slice(0, 6)}`);
    await mkdir(base, { recursive: true, mode: 0o755 });
    cleanup.push("remove the fixture's directories", () => rm(base, { recursive: true, force: true }));
    // A root daemon's QEMU (libvirt-qemu) gets its disks chowned by libvirt; a session daemon must own its pools.
    const owner = user ? { uid: user.uid, gid: user.gid } : undefined;

    const daemons: Array<Pick<TSessionDaemon, "uri" | "hostUuid" | "stop">> = [];
    for (const n of [1, 2]) {
      const dir = join(base, `h${n}`);
      const daemon = user ? await startSessionDaemon(dir, user) : await startRootDaemon(dir);
      cleanup.push(`stop ${root ? "root" : "session"} libvirtd h${n}`, () => daemon.stop());
      daemons.push(daemon);
    }

    const sharedName = `carve-2h-shared-${id}`;
    const sharedPath = join(base, "shared");
    const hosts = [];
    for (const [i, daemon] of daemons.entries()) {
      const n = i + 1;
      const pool = await ensureDirPool(`carve-2h-h${n}-${id}`, join(base, "pools", `h${n}`), daemon.uri, owner);
      cleanup.push(`remove pool h${n}`, () => removeDirPool(pool, daemon.uri));
      await importVolume(pool, image.qcow2Path, "tiny.qcow2", daemon.uri);
      // Both daemons define the same directory as a pool of the same name, as hosts mounting one NFS export do.
      const shared = await ensureDirPool(sharedName, sharedPath, daemon.uri, owner);
      cleanup.push(`undefine shared pool on h${n}`, async () => removeDirPool(shared, daemon.uri));
      const consoleDir = join(base, `console-h${n}`);
      await mkdir(consoleDir, { recursive: true });
      if (user) await chown(consoleDir, user.uid, user.gid); // virtlogd runs as the session user
      const host = await addHost(stack.core, admin, { name: `real-${n}-${id}`, uri: daemon.uri, cpuOvercommit: 4 });
      const carvePool = await addPool(stack.core, admin, { name: `pool-${n}-${id}`, hosts: [host.id], libvirtName: pool.name, path: pool.path });
      hosts.push({ index: i as 0 | 1, host, daemon, uri: daemon.uri, pool, carvePool, consoleDir });
    }
    const sharedPool: DirPool = { name: sharedName, path: sharedPath, adopted: false };
    const first = hosts[0];
    const second = hosts[1];
    if (!first || !second) throw new Error("two hosts were not set up");
    await importVolume(sharedPool, image.qcow2Path, "tiny.qcow2", first.uri);
    await virsh(second.uri, ["pool-refresh", sharedName]);
    const sharedCarvePool = await addPool(stack.core, admin, { name: `shared-${id}`, scope: "Shared", hosts: [first.host.id, second.host.id], libvirtName: sharedName, path: sharedPath });
    await addTemplate(stack.core, admin, { name: "tiny", pools: [first.carvePool.name, second.carvePool.name, sharedCarvePool.name], volume: "tiny.qcow2" });
    await createOffering(stack.core, admin, { name: "tiny", vcpus: 1, memoryMiB: 128, rootDiskGiB: 1 });

    const withAgents = hosts.map((h) => {
      const env = {
        CARVE_CONSOLE_LOG_DIR: h.consoleDir,
        CARVE_AGENT_DATA_DIR: join(base, `agent-h${h.index + 1}`),
        CARVE_DOMAIN_TYPE: "qemu",
        // Two agents on one machine: each receives volume streams on its own free loopback port.
        CARVE_AGENT_MIGRATION_LISTEN: "127.0.0.1:0",
        CARVE_AGENT_CONSOLE_LISTEN: "127.0.0.1:0",
        ...options.agentEnv,
        ...options.agentEnvOf?.(h.index, h.uri),
      };
      return {
        ...h,
        agentEnv: env,
        /** (Re)starts this host's agent with the fixture's settings. */
        startAgent: () => stack.startAgent(h.host.id, h.uri, env),
        /** The serial console log of a VM running on this host. */
        consoleLog: (vmId: string) => join(h.consoleDir, `carve-${vmId}.log`),
      };
    });
    for (const h of withAgents) {
      await h.startAgent();
      // Runs before the daemons stop: no agent may still be working on a domain.
      cleanup.push(`stop agent h${h.index + 1}`, async () => stack.agents.get(h.host.id)?.stop());
    }
    await stack.waitForHostsUp();
    const [a, b] = withAgents;
    if (!a || !b) throw new Error("two hosts were not set up");
    return { hosts: [a, b] as const, shared: { pool: sharedPool, carvePool: sharedCarvePool }, base, cleanup };
  } catch (error) {
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

export type TTwoRealHosts = Awaited<ReturnType<typeof addTwoRealHosts>>;

/** A suite on two real hosts: its stack (controller running), an admin, a developer and the hosts. */
export interface TTwoRealHostsSuite {
  stack: Stack;
  admin: TActor;
  dev: TActor & { kind: "user" };
  two: TTwoRealHosts;
  /** How long bringing the two hosts up took (session daemons, pools, agents). */
  upMs: number;
}

/**
 * useRealHostSuite for two hosts: registers beforeAll/afterAll hooks that start (and remove) a
 * stack with its controller, the users `ops` (Admin) and `dev` (User), and two real hosts.
 * `prepare` runs last in beforeAll, with the suite; `options` go to addTwoRealHosts.
 */
export function useTwoRealHostsSuite(prepare?: (suite: TTwoRealHostsSuite) => Promise<void>, timeoutMs = 240_000, options: TTwoHostsOptions = {}): void {
  let suite: Partial<TTwoRealHostsSuite> = {};
  beforeAll(async () => {
    const stack = await new Stack().init();
    suite = { stack };
    const admin = await createUser(stack.core, "ops", "Admin");
    const dev = (await createUser(stack.core, "dev", "User")) as TActor & { kind: "user" };
    await stack.startController();
    const started = performance.now();
    const two = await addTwoRealHosts(stack, admin, options);
    suite = { stack, admin, dev, two, upMs: Math.round(performance.now() - started) };
    await prepare?.(suite as TTwoRealHostsSuite);
  }, timeoutMs);
  afterAll(async () => {
    await suite.two?.cleanup.run();
    await suite.stack?.stop();
  });
}
