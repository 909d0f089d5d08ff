import { hostJobCancelKey, hostQueueName } from "@carve/protocol";
import { Redis } from "ioredis";
import { SeedStore } from "./cloud-init/seed-store.ts";
import type { TAgentEnv } from "./env.ts";
import { HANDLER_TIMING, type THandlerTiming } from "./handlers/index.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { followLogLevel } from "./log-level.ts";
import { loadHostKey } from "./host-key.ts";
import type { THypervisor } from "./hypervisor/hypervisor.ts";
import { KeyedLock } from "./jobs/keyed-lock.ts";
import { openHypervisor } from "./hypervisor/open-hypervisor.ts";
import type { Logger } from "./logger.ts";
import { createAgentMetrics, type TAgentMetrics } from "./metrics.ts";
import { VolumeReceiver } from "./storage-migration/receiver.ts";
import { ConsoleListener } from "./console/console-listener.ts";
import { parseListen } from "./listen-address.ts";
import { createHostWorker } from "./worker.ts";

/** A started agent. */
export interface TRunningAgent {
  hypervisor: THypervisor;
  metrics: TAgentMetrics;
  /** Stops taking jobs, lets active ones finish, stops the heartbeat, closes every connection. */
  close(): Promise<void>;
}

/** Knobs tests turn; production uses the defaults (HANDLER_TIMING for the handlers'). */
export interface TAgentTuning extends Partial<THandlerTiming> {
  heartbeatIntervalMs?: number;
}

/**
 * Starts the agent: loads (or makes) the host's key pair in its data directory, opens and verifies
 * libvirt, beats once (so the host shows up at once, with its public key), starts
 * the worker on `host.<hostId>` and logs "agent ready". Two Redis connections: the worker's
 * (`maxRetriesPerRequest: null`, BullMQ's requirement) and one for the agent's own commands.
 */
export async function startAgent(env: TAgentEnv, log: Logger, tuning: TAgentTuning = {}): Promise<TRunningAgent> {
  const hostKey = await loadHostKey(env.CARVE_AGENT_DATA_DIR);
  const metrics = createAgentMetrics();
  const hypervisor = metrics.instrument(
    await openHypervisor({
      uri: env.CARVE_LIBVIRT_URI,
      consoleLogDir: env.CARVE_CONSOLE_LOG_DIR,
      network: env.CARVE_LIBVIRT_NETWORK,
      domainType: env.CARVE_DOMAIN_TYPE,
      consoleSocketDir: env.CARVE_CONSOLE_SOCKET_DIR,
    }),
  );
  const node = await hypervisor.nodeInfo();
  const volumeReceiver = await startVolumeReceiver(env, hypervisor, log);
  const consoleListener = await startConsoleListener(env, hypervisor, log);
  const credential = { refused: false };
  const workerRedis = watchRedis(new Redis(env.REDIS_URL, { ...redisAuth(env), maxRetriesPerRequest: null, connectionName: "carve-agent-worker" }), log, credential);
  const commandRedis = watchRedis(new Redis(env.REDIS_URL, { ...redisAuth(env), maxRetriesPerRequest: 1, connectionName: "carve-agent" }), log, credential);
  let metricsServer: { close(): void } | null = null;
  const closeAll = async (): Promise<void> => {
    metricsServer?.close();
    await volumeReceiver?.close();
    await consoleListener?.close();
    await Promise.allSettled([workerRedis.quit(), commandRedis.quit(), hypervisor.close()]);
  };
  try {
    await commandRedis.ping().catch((error: unknown) => {
      throw new Error(`cannot reach Redis at ${redisAddress(env.REDIS_URL)}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const heartbeat = await startHeartbeat({
      redis: commandRedis,
      prefix: env.CARVE_QUEUE_PREFIX,
      hostId: env.CARVE_HOST_ID,
      node,
      sealKey: hostKey.publicKey,
      migration: env.CARVE_MIGRATION_URI
        ? { uri: env.CARVE_MIGRATION_URI, address: env.CARVE_MIGRATION_ADDRESS, consoleLogDir: env.CARVE_CONSOLE_LOG_DIR }
        : undefined,
      storageMigration: volumeReceiver ? { address: volumeReceiver.advertised } : undefined,
      console: consoleListener ? { address: consoleListener.advertised } : undefined,
      pools: () => hypervisor.listPools(),
      log,
      ...(tuning.heartbeatIntervalMs === undefined ? {} : { intervalMs: tuning.heartbeatIntervalMs }),
    });
    const logLevel = followLogLevel({
      redis: commandRedis,
      prefix: env.CARVE_QUEUE_PREFIX,
      hostId: env.CARVE_HOST_ID,
      log,
      ownLevel: env.LOG_LEVEL,
      ...(tuning.heartbeatIntervalMs === undefined ? {} : { intervalMs: tuning.heartbeatIntervalMs }),
    });
    const worker = createHostWorker({
      hostId: env.CARVE_HOST_ID,
      prefix: env.CARVE_QUEUE_PREFIX,
      concurrency: env.CARVE_AGENT_CONCURRENCY,
      connection: workerRedis,
      metrics,
      services: {
        hypervisor,
        log,
        lock: new KeyedLock(),
        pollIntervalMs: tuning.pollIntervalMs ?? HANDLER_TIMING.pollIntervalMs,
        rebootGracefulTimeoutSec: tuning.rebootGracefulTimeoutSec ?? HANDLER_TIMING.rebootGracefulTimeoutSec,
        hostKey,
        seeds: new SeedStore(env.CARVE_AGENT_DATA_DIR),
        volumeReceiver,
        consoleListener,
        cancelRequested: async (jobId) => (await commandRedis.exists(hostJobCancelKey(env.CARVE_QUEUE_PREFIX, env.CARVE_HOST_ID, jobId))) > 0,
      },
    });
    await worker.waitUntilReady();
    if (env.CARVE_AGENT_METRICS_PORT !== undefined && env.CARVE_METRICS_TOKEN !== undefined) metricsServer = await metrics.serve(env.CARVE_AGENT_METRICS_PORT, env.CARVE_METRICS_TOKEN, log);
    log.info(
      { hostId: env.CARVE_HOST_ID, queue: hostQueueName(env.CARVE_HOST_ID), prefix: env.CARVE_QUEUE_PREFIX, uri: hypervisor.uri, node },
      "agent ready",
    );
    return {
      hypervisor,
      metrics,
      close: async () => {
        if (credential.refused) {
          // Nothing can be handed back to a control plane that removed this host, and a graceful
          // close waits on Redis, retrying the refused credential for minutes: drop it all now.
          log.warn("stopping at once without waiting for active jobs: this host was removed from Carve (Redis refuses its credential)");
          workerRedis.disconnect();
          commandRedis.disconnect();
          await worker.close(true);
        } else {
          await worker.close();
        }
        await logLevel.stop();
        await heartbeat.stop();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Starts the storage-migration receiver on CARVE_AGENT_MIGRATION_LISTEN (none when `off`), after
 * removing partial volumes an interrupted receive left behind. A port that cannot be bound does not
 * stop the agent: the host then advertises no receiver and core refuses to move volumes to it,
 * naming the setting.
 */
async function startVolumeReceiver(env: TAgentEnv, hypervisor: THypervisor, log: Logger): Promise<VolumeReceiver | undefined> {
  if (env.CARVE_AGENT_MIGRATION_LISTEN === "off") return undefined;
  const listen = parseListen(env.CARVE_AGENT_MIGRATION_LISTEN);
  const receiver = new VolumeReceiver(hypervisor, log);
  await receiver.removeStalePartials().catch((error: unknown) => log.warn({ err: error }, "could not remove partial volumes left by an interrupted storage migration"));
  try {
    const address = await receiver.listen(listen, env.CARVE_AGENT_MIGRATION_ADVERTISE);
    log.info({ address }, "receiving volume streams (storage migration)");
    return receiver;
  } catch (error) {
    log.error(
      { err: error },
      `cannot receive volume streams on CARVE_AGENT_MIGRATION_LISTEN=${env.CARVE_AGENT_MIGRATION_LISTEN} (${error instanceof Error ? error.message : String(error)}): volumes cannot be migrated to this host until it is set to a free port and the agent restarted`,
    );
    return undefined;
  }
}

/**
 * Starts the console listener on CARVE_AGENT_CONSOLE_LISTEN (none when `off`). Like the volume
 * receiver, a port that cannot be bound does not stop the agent: the host then advertises no
 * console address and core answers CONSOLE_UNAVAILABLE naming the setting.
 */
async function startConsoleListener(env: TAgentEnv, hypervisor: THypervisor, log: Logger): Promise<ConsoleListener | undefined> {
  if (env.CARVE_AGENT_CONSOLE_LISTEN === "off") return undefined;
  const listener = new ConsoleListener(hypervisor, log);
  try {
    const address = await listener.listen(parseListen(env.CARVE_AGENT_CONSOLE_LISTEN), env.CARVE_AGENT_CONSOLE_ADVERTISE);
    log.info({ address }, "serving consoles (TLS-PSK)");
    return listener;
  } catch (error) {
    log.error(
      { err: error },
      `cannot serve consoles on CARVE_AGENT_CONSOLE_LISTEN=${env.CARVE_AGENT_CONSOLE_LISTEN} (${error instanceof Error ? error.message : String(error)}): no VM console on this host works until it is set to a free port and the agent restarted`,
    );
    return undefined;
  }
}

/** The host's own Redis user and credential, when it joined with one (they override the URL's). */
export function redisAuth(env: Pick<TAgentEnv, "CARVE_REDIS_USERNAME" | "CARVE_REDIS_PASSWORD">): { username?: string; password?: string } {
  return env.CARVE_REDIS_USERNAME && env.CARVE_REDIS_PASSWORD ? { username: env.CARVE_REDIS_USERNAME, password: env.CARVE_REDIS_PASSWORD } : {};
}

/** host:port of a Redis URL, without credentials, for messages. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/**
 * Logs connection errors (ioredis reconnects by itself), once per distinct message. WRONGPASS for
 * the host's own user means it was deleted, which is what removing the host does: `credential`
 * records it (close then stops at once) and the log says so, once.
 */
function watchRedis(redis: Redis, log: Logger, credential: { refused: boolean }): Redis {
  let last = "";
  redis.on("error", (error: Error) => {
    if (error.message === last) return;
    last = error.message;
    if (error.message.startsWith("WRONGPASS")) {
      if (credential.refused) return;
      credential.refused = true;
      log.error(
        { err: error },
        "Redis refuses this host's credential (WRONGPASS): the host was removed from Carve ('carve host remove') or its Redis user deleted. Stop this agent; to bring the host back, 'carve host add' it and run 'carve-agent join' with the new token",
      );
      return;
    }
    log.warn({ err: error }, `redis connection error: ${error.message}`);
  });
  redis.on("ready", () => {
    last = "";
  });
  return redis;
}
