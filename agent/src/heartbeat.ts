import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TTL_MS, PROTOCOL_VERSION, hostHeartbeatKey, type THeartbeat, type TPoolReport } from "@carve/protocol";
import type { Redis } from "ioredis";
import type { TNodeSummary, TPoolStatus } from "./hypervisor/hypervisor.ts";
import type { Logger } from "./logger.ts";
import { AGENT_VERSION } from "./version.ts";

/** Where and how often to beat. */
export interface THeartbeatOptions {
  redis: Redis;
  prefix: string;
  hostId: string;
  node: TNodeSummary;
  /** The host's public key (see host-key.ts), published so the controller can seal job secrets to it. */
  sealKey: string;
  /** How other hosts live-migrate VMs here (CARVE_MIGRATION_URI…); absent: they cannot. */
  migration?: THeartbeat["migration"];
  /** Where this agent receives volume streams (storage migration); absent: it does not. */
  storageMigration?: THeartbeat["storageMigration"];
  /** Where this agent serves consoles; absent: it does not. */
  console?: THeartbeat["console"];
  /** The pools' current usage; a failure to read them leaves them out of that beat. */
  pools: () => Promise<TPoolStatus[]>;
  log: Logger;
  intervalMs?: number;
  ttlMs?: number;
}

/** A running heartbeat. */
export interface THeartbeatLoop {
  /** Stops beating (the key then expires on its own after its TTL). */
  stop(): Promise<void>;
}

/**
 * Writes `SET <prefix>:host.<id>:carve:heartbeat <json> PX ttl` now and then every interval. The
 * key lives in the host queue's own key space, so a per-queue Redis ACL covers it. A failed beat
 * is logged, not fatal: the controller notices the silence.
 */
export async function startHeartbeat(options: THeartbeatOptions): Promise<THeartbeatLoop> {
  const { redis, prefix, hostId, node, log } = options;
  const key = hostHeartbeatKey(prefix, hostId);
  const ttlMs = options.ttlMs ?? HEARTBEAT_TTL_MS;
  let inFlight: Promise<void> = Promise.resolve();

  const beat = async (): Promise<void> => {
    const pools: TPoolReport[] = await options.pools().catch((error: unknown) => {
      log.warn({ err: error }, "could not read the storage pools for the heartbeat");
      return [];
    });
    const value: THeartbeat = {
      at: new Date().toISOString(),
      hostname: node.hostname,
      cpus: node.cpus,
      memoryMiB: node.memoryMiB,
      agentVersion: AGENT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      pools,
      sealKey: options.sealKey,
      ...(options.migration ? { migration: options.migration } : {}),
      ...(options.storageMigration ? { storageMigration: options.storageMigration } : {}),
      ...(options.console ? { console: options.console } : {}),
    };
    await redis.set(key, JSON.stringify(value), "PX", ttlMs);
  };
  const tick = (): void => {
    inFlight = beat().catch((error: unknown) => log.warn({ err: error, key }, "heartbeat failed"));
  };

  await beat();
  const timer = setInterval(tick, options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
