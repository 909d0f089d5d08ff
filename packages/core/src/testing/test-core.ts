import { createTestDatabase } from "@carve/db/testing";
import { pino } from "pino";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { FakeJobQueues } from "./fake-job-queues.ts";

export interface TTestCore extends CoreDeps {
  queues: FakeJobQueues;
  /** The throwaway database's URL, for a second client (another process's view of it). */
  databaseUrl: string;
  drop(): Promise<void>;
}

/** Core on a fresh throwaway PostgreSQL database, with fake queues the test drives. */
export async function createTestCore(): Promise<TTestCore> {
  const database = await createTestDatabase();
  return {
    db: database.db,
    databaseUrl: database.url,
    queues: new FakeJobQueues(),
    log: pino({ level: "silent" }),
    now: () => new Date(),
    drop: () => database.drop(),
  };
}

/** A user account and the actor acting as it. */
export async function createTestUser(deps: CoreDeps, username: string, role: "Admin" | "User" = "User"): Promise<Extract<TActor, { kind: "user" }>> {
  const user = await deps.db.user.create({ data: { username, source: "Local", role } });
  return { kind: "user", userId: user.id, username, role, via: "cli" };
}

export interface TInfraOptions {
  hosts?: number;
  cpus?: number;
  memoryMiB?: number;
  uriOf?: (index: number) => string;
  /** Capacity each host's pool reports. */
  poolGiB?: number;
}

/**
 * Hosts (Up, with the given capacity), one local pool each holding a template copy, the template
 * `tiny` and offerings `small` (1 vCPU, 512 MiB) and `large` (4 vCPU, 4096 MiB).
 */
export async function seedInfra(deps: CoreDeps, options: TInfraOptions = {}) {
  const count = options.hosts ?? 2;
  const template = await deps.db.template.create({ data: { name: "tiny", state: "Ready", format: "qcow2", minDiskGiB: 1 } });
  const hosts = [];
  for (let i = 0; i < count; i++) {
    const host = await deps.db.host.create({
      data: {
        name: `host-${i + 1}`,
        uri: options.uriOf?.(i) ?? "test:///default",
        state: "Up",
        cpus: options.cpus ?? 8,
        memoryMiB: options.memoryMiB ?? 16384,
      },
    });
    const pool = await deps.db.storagePool.create({
      data: {
        name: `pool-${i + 1}`,
        liveName: `pool-${i + 1}`,
        libvirtName: "default",
        path: `/var/lib/carve/pool-${i + 1}`,
        scope: "Local",
        hostId: host.id,
        hosts: { create: { hostId: host.id } },
        capacityBytes: BigInt(options.poolGiB ?? 1000) * 1024n ** 3n,
        capacityReportedAt: new Date(),
      },
    });
    await deps.db.templateCopy.create({ data: { templateId: template.id, poolId: pool.id, volumeName: "tiny.qcow2" } });
    hosts.push({ host, pool });
  }
  const small = await deps.db.serviceOffering.create({ data: { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 } });
  const large = await deps.db.serviceOffering.create({ data: { name: "large", vcpus: 4, memoryMiB: 4096, rootDiskGiB: 1 } });
  return { template, hosts, offerings: { small, large } };
}
