import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { lookup } from "node:dns/promises";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { domainName } from "@carve/protocol";
import { Redis } from "ioredis";
import { redisAuth } from "../agent.ts";
import { runTool } from "../cloud-init/run-tool.ts";
import { loadHostKey } from "../host-key.ts";
import type { TAgentEnv } from "../env.ts";
import type { TNetworkStatus, TNodeSummary, TPoolDetail } from "../hypervisor/hypervisor.ts";
import { consoleDevices } from "../hypervisor/libvirt/domain-xml.ts";
import { openHypervisor } from "../hypervisor/open-hypervisor.ts";

/** Carve's domains are carve-<vmId>; others on the host are not the agent's to judge. */
const DOMAIN_PREFIX = domainName("");

/** What the doctor asks of the machine; each probe throws an Error whose message says what is wrong. */
export interface TDoctorProbes {
  /** Loads the native libvirt binding. */
  loadBinding(): Promise<void>;
  /** Opens the libvirt URI and reads the node, its pools, its networks and Carve's domains (whether their VNC display is on a UNIX socket). */
  readLibvirt(): Promise<{ node: TNodeSummary; pools: TPoolDetail[]; networks: TNetworkStatus[]; domains: TDoctorDomain[] }>;
  /** Whether a TCP address can be bound now ("free") or something listens there ("in use"). */
  probeListen(address: { host: string; port: number }): Promise<"free" | "in use">;
  /** Resolves this machine's hostname; returns the name and an address. */
  resolveHostname(): Promise<{ hostname: string; address: string }>;
  /** Throws unless `path` is an existing directory this process can write to. */
  checkWritableDir(path: string): Promise<void>;
  /** Redis PING within the timeout. */
  pingRedis(timeoutMs: number): Promise<void>;
  /** Redis's clock (TIME), taken at the middle of the round trip, against ours. */
  redisClockSkewMs(): Promise<number>;
  /** Reads (or makes) the host's key pair in the data directory; returns its public half. */
  loadHostKey(): Promise<string>;
  /** Throws unless the program runs (`args` asks it for its version). */
  runTool(command: string, args: readonly string[]): Promise<void>;
}

/** A domain this agent defined (named carve-<vmId>). */
export interface TDoctorDomain {
  name: string;
  vncOnSocket: boolean;
}

function withTimeout<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms)));
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The real probes for the agent's settings. Call `close` when done. */
export function createDoctorProbes(env: TAgentEnv): TDoctorProbes & { close(): Promise<void> } {
  let redis: Redis | null = null;
  let lastError = "";
  const connect = (): Redis => {
    // One try, no queueing: the doctor reports, it does not wait for Redis to come back.
    redis ??= new Redis(env.REDIS_URL, { ...redisAuth(env), lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, enableOfflineQueue: true, retryStrategy: () => null });
    redis.on("error", (error: Error) => (lastError = error.message));
    return redis;
  };
  return {
    async loadBinding() {
      await import("@unraid/libvirt");
    },
    async readLibvirt() {
      const hypervisor = await openHypervisor({ uri: env.CARVE_LIBVIRT_URI, consoleLogDir: env.CARVE_CONSOLE_LOG_DIR, domainType: env.CARVE_DOMAIN_TYPE });
      try {
        const domains: TDoctorDomain[] = [];
        for (const { name } of await hypervisor.listDomains()) {
          if (name.startsWith(DOMAIN_PREFIX)) domains.push({ name, vncOnSocket: consoleDevices(await hypervisor.domainXml(name)).vncOnSocket });
        }
        return { node: await hypervisor.nodeInfo(), pools: await hypervisor.listPoolDetails(), networks: await hypervisor.listNetworks(), domains };
      } finally {
        await hypervisor.close();
      }
    },
    async resolveHostname() {
      const name = hostname();
      const { address } = await withTimeout(2_000, `DNS lookup of ${name}`, lookup(name));
      return { hostname: name, address };
    },
    probeListen(address) {
      return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve("in use") : reject(error)));
        server.listen(address, () => server.close(() => resolve("free")));
      });
    },
    async checkWritableDir(path) {
      const info = await stat(path);
      if (!info.isDirectory()) throw new Error(`${path} is not a directory`);
      await access(path, constants.W_OK);
    },
    async pingRedis(timeoutMs) {
      const r = connect();
      try {
        await withTimeout(timeoutMs, "Redis", (async () => {
          if (r.status === "wait") await r.connect();
          await r.ping();
        })()); // prettier-ignore
      } catch (error) {
        // ioredis's own rejection is often just "Connection is closed"; the error event says why.
        throw new Error(lastError && !(error as Error).message.includes(lastError) ? `${(error as Error).message} (${lastError})` : (error as Error).message);
      }
    },
    async redisClockSkewMs() {
      const before = Date.now();
      const [seconds, micros] = (await withTimeout(2_000, "Redis TIME", connect().time())) as [string | number, string | number];
      const after = Date.now();
      return Number(seconds) * 1000 + Number(micros) / 1000 - (before + after) / 2;
    },
    async loadHostKey() {
      return (await loadHostKey(env.CARVE_AGENT_DATA_DIR)).publicKey;
    },
    async runTool(command, args) {
      await runTool(command, args);
    },
    async close() {
      redis?.disconnect();
    },
  };
}
