import { requireMetricsToken, ZMetricsTokenSetting } from "@carve/protocol";
import { z } from "zod";

const LIBVIRT_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;

/** Where the agent keeps its key pair and seed ISOs unless CARVE_AGENT_DATA_DIR says otherwise. */
export const DEFAULT_AGENT_DATA_DIR = "/var/lib/carve";

/** HOST:PORT (a name, an IPv4 address or a bracketed IPv6 one; port 0-65535). */
function hostPort(message: string) {
  return z
    .string(message)
    .regex(/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$/, message)
    .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65_535, message);
}

/** The agent's settings, read once from the environment at start-up. */
export const ZAgentEnv = z.object({
  CARVE_HOST_ID: z.uuid("must be the host's UUID as registered with Carve"),
  CARVE_LIBVIRT_URI: z
    .string("must be a libvirt URI such as qemu:///system or test:///abs/path/node.xml")
    .regex(/^(?:test|qemu(?:\+[a-z]+)?):\/\/\S*$/, "must be a libvirt URI such as qemu:///system or test:///abs/path/node.xml"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "must be a redis:// or rediss:// URL")
    .default("redis://127.0.0.1:6379"),
  /** The host's own Redis user and credential, written by `carve-agent join` (absent: the URL's own credentials). */
  CARVE_REDIS_USERNAME: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "must be a Redis user name").optional(),
  CARVE_REDIS_PASSWORD: z.string().min(1).max(500).optional(),
  CARVE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, _ . or -")
    .default("bull"),
  CARVE_AGENT_CONCURRENCY: z.coerce
    .number("must be a whole number from 1 to 256")
    .int("must be a whole number from 1 to 256")
    .min(1, "must be a whole number from 1 to 256")
    .max(256, "must be a whole number from 1 to 256")
    .default(8),
  CARVE_CONSOLE_LOG_DIR: z
    .string()
    .regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute path of plain names (letters, digits, . _ + -)")
    .default("/var/log/carve/console"),
  /**
   * The agent's own files: its long-lived key pair (host-key.pem, mode 0600) and the cloud-init
   * seed ISOs of its VMs (seeds/).
   */
  CARVE_AGENT_DATA_DIR: z
    .string()
    .regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute path of plain names (letters, digits, . _ + -)")
    .default(DEFAULT_AGENT_DATA_DIR),
  /** A libvirt network to attach a virtio NIC to; no NIC when unset. */
  CARVE_LIBVIRT_NETWORK: z.string().regex(LIBVIRT_NAME, "must be the name of a libvirt network").optional(),
  /**
   * The libvirt URI other hosts' agents use to reach this host's libvirtd when they live-migrate a
   * VM here (e.g. qemu+tcp://10.0.0.2/system, or qemu+ssh://…). Unset: this host receives none.
   */
  CARVE_MIGRATION_URI: z
    .string()
    .regex(/^(?:test|qemu(?:\+[a-z]+)?):\/\/[A-Za-z0-9._~:/?&=%@+-]*$/, "must be a libvirt URI such as qemu+tcp://10.0.0.2/system")
    .optional(),
  /** Where QEMU here listens for incoming migration streams: tcp://ADDRESS (libvirt picks a port) or tcp://ADDRESS:PORT. */
  CARVE_MIGRATION_ADDRESS: z
    .string()
    .regex(/^tcp:\/\/[A-Za-z0-9.:[\]-]+$/, "must be tcp://ADDRESS or tcp://ADDRESS:PORT")
    .optional(),
  /**
   * Where the agent receives volume streams from other hosts' agents (storage migration): HOST:PORT
   * (port 0: any free port), or `off`. Each stream needs a one-time token core sealed to this host.
   */
  CARVE_AGENT_MIGRATION_LISTEN: z.union([z.literal("off"), hostPort("must be HOST:PORT (e.g. 0.0.0.0:7447) or off")]).default("0.0.0.0:7447"),
  /** HOST:PORT other agents reach the receiver at (behind NAT, or a listen on 0.0.0.0); default: this host's name and the port it listens on. */
  CARVE_AGENT_MIGRATION_ADVERTISE: hostPort("must be HOST:PORT (a name or address other hosts reach, and a port from 1 to 65535)").optional(),
  /**
   * Where the agent serves consoles (issue 18): HOST:PORT (port 0: any free port), or `off`. Each
   * connection is TLS-PSK with a one-time key core sealed to this host, for one registered session.
   */
  CARVE_AGENT_CONSOLE_LISTEN: z.union([z.literal("off"), hostPort("must be HOST:PORT (e.g. 0.0.0.0:7448) or off")]).default("0.0.0.0:7448"),
  /** HOST:PORT the console proxy reaches the console listener at; default: this host's name and the port it listens on. */
  CARVE_AGENT_CONSOLE_ADVERTISE: hostPort("must be HOST:PORT (a name or address the console proxy reaches, and a port from 1 to 65535)").optional(),
  /**
   * Put each domain's VNC display and serial port on UNIX sockets at DIR/<domain>.vnc and
   * DIR/<domain>.serial. QEMU binds the VNC socket itself, as its own user: under Debian's system
   * libvirtd DIR must belong to libvirt-qemu (e.g. 0750 libvirt-qemu:libvirt-qemu), or the VM fails
   * to start with "Failed to bind socket … Permission denied"; libvirt does not chown it, and a
   * destroyed VM's .vnc file stays behind. Unset (the default): libvirt chooses the VNC
   * socket in the domain's private directory and the serial port is a pty.
   */
  CARVE_CONSOLE_SOCKET_DIR: z
    .string()
    .regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute path of plain names (letters, digits, . _ + -)")
    .optional(),
  /** `auto` uses KVM when /dev/kvm and VT-x/AMD-V are usable, TCG otherwise. */
  CARVE_DOMAIN_TYPE: z.enum(["auto", "kvm", "qemu"], "must be auto, kvm or qemu").default("auto"),
  /** Serve Prometheus /metrics on this port (all interfaces; 0: any free port, logged), with CARVE_METRICS_TOKEN. Unset: no metrics server. */
  CARVE_AGENT_METRICS_PORT: z.coerce
    .number("must be a port number from 0 to 65535")
    .int("must be a port number from 0 to 65535")
    .min(0, "must be a port number from 0 to 65535")
    .max(65_535, "must be a port number from 0 to 65535")
    .optional(),
  /** The bearer token /metrics requires (required with CARVE_AGENT_METRICS_PORT). */
  CARVE_METRICS_TOKEN: ZMetricsTokenSetting.optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "must be one of fatal, error, warn, info, debug, trace, silent")
    .default("info"),
}).superRefine(requireMetricsToken("CARVE_AGENT_METRICS_PORT"));

/** Where `carve-agent join` writes, and `run` reads, the agent's config file. */
export const DEFAULT_AGENT_CONFIG_PATH = "/etc/carve/agent.json";

/** The config file path: CARVE_AGENT_CONFIG, else the default; `explicit` when someone asked for it. */
export function agentConfigPath(source: Record<string, string | undefined> = process.env): { path: string; explicit: boolean } {
  const path = source["CARVE_AGENT_CONFIG"];
  return path ? { path, explicit: true } : { path: DEFAULT_AGENT_CONFIG_PATH, explicit: false };
}

/** Parsed agent settings. */
export type TAgentEnv = z.output<typeof ZAgentEnv>;

/** A setting is missing or malformed; the message names each variable and what it expects. */
export class AgentConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the agent cannot start: ${problems.join("; ")}`);
    this.name = "AgentConfigError";
  }
}

/**
 * Parses the agent's settings: the environment over the config file's values (see
 * agent-config.ts); with `configPath` (where the file was looked for), a missing file and no host
 * id in the environment point to `carve-agent join`. This is the only place that reads `process.env`; pass a record to parse
 * something else (tests).
 * @throws AgentConfigError naming every bad variable.
 */
export function loadAgentEnv(source: Record<string, string | undefined> = process.env, file: Record<string, string> = {}, configPath?: string): TAgentEnv {
  // An empty string means "unset", so that `FOO= node …` falls back to the default.
  const fromEnv = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  if (configPath !== undefined && Object.keys(file).length === 0 && fromEnv["CARVE_HOST_ID"] === undefined) {
    throw new AgentConfigError([
      `this host has not joined Carve: there is no config file at ${configPath} (and no CARVE_HOST_ID). Run 'carve-agent join --token TOKEN --redis URL' as 'carve host add' printed it, or name the file join wrote with --config (or CARVE_AGENT_CONFIG)`,
    ]);
  }
  // The config file (from `carve-agent join`) sits under the environment; it is another host's
  // when the environment names a different host id, and then it is ignored as a whole.
  const sameHost = fromEnv["CARVE_HOST_ID"] === undefined || fromEnv["CARVE_HOST_ID"] === file["CARVE_HOST_ID"];
  const present = { ...(sameHost ? file : {}), ...fromEnv };
  const parsed = ZAgentEnv.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    const missing = present[name] === undefined;
    return `${name} ${missing ? "is not set; it " : ""}${issue.message}`;
  });
  throw new AgentConfigError(problems);
}

/** Environment fallbacks for `carve-agent join` flags (it runs before there is a host id). */
export function joinDefaults(source: Record<string, string | undefined> = process.env): { token?: string; redisUrl?: string; uri?: string; prefix?: string; config: string; dataDir: string } {
  const pick = (name: string): string | undefined => (source[name] ? source[name] : undefined);
  return {
    ...(pick("CARVE_JOIN_TOKEN") ? { token: pick("CARVE_JOIN_TOKEN") } : {}),
    ...(pick("REDIS_URL") ? { redisUrl: pick("REDIS_URL") } : {}),
    ...(pick("CARVE_LIBVIRT_URI") ? { uri: pick("CARVE_LIBVIRT_URI") } : {}),
    ...(pick("CARVE_QUEUE_PREFIX") ? { prefix: pick("CARVE_QUEUE_PREFIX") } : {}),
    config: agentConfigPath(source).path,
    dataDir: pick("CARVE_AGENT_DATA_DIR") ?? DEFAULT_AGENT_DATA_DIR,
  };
}
