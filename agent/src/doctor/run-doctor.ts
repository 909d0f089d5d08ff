import type { TNetworkStatus, TPoolDetail } from "../hypervisor/hypervisor.ts";
import { driverCapabilities } from "../hypervisor/libvirt/driver-capabilities.ts";
import { parseListen } from "../listen-address.ts";
import type { TDoctorDomain, TDoctorProbes } from "./doctor-probes.ts";

/** One check's verdict; `fix` says what to do when it is not ok. */
export interface TDoctorCheck {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
}

export interface TDoctorOptions {
  uri: string;
  /** host:port of Redis, for messages (never the credentials). */
  redisAddress: string;
  /** CARVE_AGENT_DATA_DIR, for messages. */
  dataDir: string;
  // console (issue 18)
  /** CARVE_AGENT_CONSOLE_LISTEN: HOST:PORT, or off. */
  consoleListen: string;
  /** True when the agent runs the checks before starting (its listener is not up yet): the port must be free, not taken. */
  beforeStart?: boolean;
}

/** Clock skew against Redis: above this a warning, above the next a failure (heartbeat ages lie). */
export const SKEW_WARN_MS = 2_000;
export const SKEW_FAIL_MS = 30_000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Checks everything the agent needs, in order, each with a fix when it fails: the libvirt binding
 * loads, libvirt answers on the URI, the hostname resolves, every running pool's directory is
 * writable, every libvirt network runs and autostarts (and dnsmasq is installed when there is one), the console listener's port
 * (free before start, listened on after) and Carve's domains' VNC displays on UNIX sockets, the host key can be read or made in the data directory, the cloud-init seed tools
 * run (a warning: only cloud-init templates need them), Redis answers a PING within 2 s, and the
 * clock agrees with Redis's. A check that depends on a failed one is not run.
 */
export async function runDoctor(probes: TDoctorProbes, options: TDoctorOptions): Promise<TDoctorCheck[]> {
  const checks: TDoctorCheck[] = [];
  const attempt = async (name: string, fix: string, work: () => Promise<string>): Promise<boolean> => {
    try {
      checks.push({ name, status: "ok", detail: await work() });
      return true;
    } catch (error) {
      checks.push({ name, status: "fail", detail: messageOf(error), fix });
      return false;
    }
  };

  const binding = await attempt("libvirt binding", "install libvirt's headers and rebuild the binding: apt-get install libvirt-dev && npm rebuild @unraid/libvirt", async () => {
    await probes.loadBinding();
    return "@unraid/libvirt loads";
  });
  let pools: TPoolDetail[] = [];
  let networks: TNetworkStatus[] = [];
  let domains: TDoctorDomain[] = [];
  if (binding) {
    await attempt("libvirt", `start libvirtd (libvirtd -d, or systemctl start libvirtd) and check the URI ${options.uri} with 'virsh -c ${options.uri} version'`, async () => {
      const found = await probes.readLibvirt();
      pools = found.pools;
      networks = found.networks;
      domains = found.domains;
      return `${options.uri} answers: ${found.node.hostname}, ${found.node.cpus} CPUs, ${found.node.memoryMiB} MiB, ${pools.length} pool(s)`;
    });
  }
  await attempt("hostname", "add this machine's hostname to /etc/hosts or DNS (libvirt and migrations address hosts by name)", async () => {
    const { hostname, address } = await probes.resolveHostname();
    return `${hostname} resolves to ${address}`;
  });
  const can = driverCapabilities(options.uri);
  for (const pool of pools) checks.push(await checkPool(probes, pool, can.volumeFiles));
  // networks (issue 17)
  for (const network of networks) checks.push(checkNetwork(network));
  if (networks.length > 0 && can.dnsmasq) checks.push(await checkDnsmasq(probes));

  // console (issue 18)
  checks.push(await checkConsoleListener(probes, options));
  if (domains.length > 0) checks.push(checkVncSockets(domains));

  await attempt("host key", `let the agent create and write ${options.dataDir} (CARVE_AGENT_DATA_DIR), or move a damaged ${options.dataDir}/host-key.pem away (a new key is made and published with the next heartbeat)`, async () => {
    await probes.loadHostKey();
    return `${options.dataDir}/host-key.pem is this host's key (passwords in jobs are sealed to it)`;
  });
  checks.push(await checkSeedTools(probes));

  const redis = await attempt("redis", `start Redis or fix the address (${options.redisAddress}): check REDIS_URL / the config file, the firewall, and the host's Redis credential ('carve host join-token' and join again if it was revoked)`, async () => {
    await probes.pingRedis(2_000);
    return `${options.redisAddress} answers PING`;
  });
  if (redis) {
    try {
      const skew = await probes.redisClockSkewMs();
      const abs = Math.abs(skew);
      const detail = `${(abs / 1000).toFixed(1)} s ${skew > 0 ? "behind" : "ahead of"} Redis`;
      const fix = "synchronise the clock (chrony or systemd-timesyncd) on this host and on the Redis server";
      checks.push(abs > SKEW_FAIL_MS ? { name: "clock", status: "fail", detail, fix } : abs > SKEW_WARN_MS ? { name: "clock", status: "warn", detail, fix } : { name: "clock", status: "ok", detail });
    } catch (error) {
      checks.push({ name: "clock", status: "fail", detail: `cannot read Redis's clock: ${messageOf(error)}`, fix: "check that the host's Redis user may run TIME" });
    }
  }
  return checks;
}

async function checkPool(probes: TDoctorProbes, pool: TPoolDetail, volumeFiles: boolean): Promise<TDoctorCheck> {
  const name = `pool ${pool.name}`;
  if (!volumeFiles) return { name, status: "ok", detail: "libvirt test driver: volumes live in memory" };
  if (!pool.active) return { name, status: "warn", detail: "the pool is not running, so nothing can be placed on it", fix: `virsh pool-start ${pool.name} (and pool-autostart)` };
  if (pool.path === null || !["dir", "fs", "netfs"].includes(pool.type)) return { name, status: "ok", detail: `${pool.type} pool: not a directory, libvirt manages it` };
  const path = pool.path;
  try {
    await probes.checkWritableDir(path);
    return { name, status: "ok", detail: `${path} is writable` };
  } catch (error) {
    return { name, status: "fail", detail: `${path} is not writable: ${messageOf(error)}`, fix: `create the directory and let the agent write to it (mkdir -p ${path}; check its owner, mode and mount), or remove the pool from libvirt` };
  }
}

// networks (issue 17)
/** A libvirt network must run, and come back after a reboot, for its guests to get their addresses. */
function checkNetwork(network: TNetworkStatus): TDoctorCheck {
  const name = `network ${network.name}`;
  const fix = `virsh net-start ${network.name} && virsh net-autostart ${network.name} (or virsh net-undefine ${network.name} if no VM uses it)`;
  if (!network.active) return { name, status: "warn", detail: "the network is not running: guests on it get no address and cannot start", fix };
  if (!network.autostart) return { name, status: "warn", detail: `the network runs but does not autostart: after a reboot of this host its guests cannot start`, fix: `virsh net-autostart ${network.name}` };
  return { name, status: "ok", detail: `running${network.bridge ? ` on bridge ${network.bridge}` : ""}, autostarted` };
}

/** libvirt's managed networks serve DHCP and DNS with dnsmasq (Debian's dnsmasq-base). */
async function checkDnsmasq(probes: TDoctorProbes): Promise<TDoctorCheck> {
  return probes.runTool("dnsmasq", ["--version"]).then(
    (): TDoctorCheck => ({ name: "dnsmasq", status: "ok", detail: "dnsmasq runs (DHCP and DNS of libvirt networks)" }),
    (): TDoctorCheck => ({ name: "dnsmasq", status: "fail", detail: "dnsmasq cannot run: libvirt networks cannot start, and their guests get no address", fix: "apt-get install dnsmasq-base" }),
  );
}

/** genisoimage builds cloud-init seeds and openssl hashes first passwords; without them only cloud-init creates fail. */
async function checkSeedTools(probes: TDoctorProbes): Promise<TDoctorCheck> {
  const missing: string[] = [];
  for (const [command, args] of [["genisoimage", ["--version"]], ["openssl", ["version"]]] as const) {
    await probes.runTool(command, args).catch(() => missing.push(command));
  }
  return missing.length === 0
    ? { name: "cloud-init seeds", status: "ok", detail: "genisoimage and openssl run" }
    : { name: "cloud-init seeds", status: "warn", detail: `${missing.join(" and ")} cannot run: VMs from cloud-init templates cannot be created here`, fix: `apt-get install ${missing.join(" ")}` };
}

// console (issue 18)
/**
 * The console listener (CARVE_AGENT_CONSOLE_LISTEN): off said plainly; before start its port must
 * be free, afterwards something must listen there. A warning, not a failure: without it the host
 * runs VMs, only their consoles do not open.
 */
async function checkConsoleListener(probes: TDoctorProbes, options: TDoctorOptions): Promise<TDoctorCheck> {
  const name = "console listener";
  const setting = options.consoleListen;
  if (setting === "off") {
    return { name, status: "warn", detail: "off (CARVE_AGENT_CONSOLE_LISTEN=off): the consoles and serial logs of this host's VMs cannot be opened", fix: "set CARVE_AGENT_CONSOLE_LISTEN=0.0.0.0:7448 (or an address the console proxy reaches) and restart the agent" };
  }
  const address = parseListen(setting);
  if (address.port === 0) return { name, status: "ok", detail: `${setting}: a free port chosen when the agent starts (it reports it with its heartbeat)` };
  try {
    const state = await probes.probeListen(address);
    if (options.beforeStart) {
      return state === "free"
        ? { name, status: "ok", detail: `${setting} is free: the agent will listen there for consoles` }
        : { name, status: "warn", detail: `${setting} is taken by another program: this host's consoles will not open`, fix: `free port ${address.port} (ss -ltnp 'sport = :${address.port}' shows who holds it) or set CARVE_AGENT_CONSOLE_LISTEN to another port` };
    }
    return state === "in use"
      ? { name, status: "ok", detail: `something listens on ${setting} (the agent's console listener when the agent runs)` }
      : { name, status: "warn", detail: `nothing listens on ${setting}: the agent is not running, or it could not bind the port (its log says why)`, fix: "start the agent ('carve-agent run'); if it runs, read its log for the console listener's error" };
  } catch (error) {
    return { name, status: "warn", detail: `cannot check ${setting}: ${messageOf(error)}`, fix: "set CARVE_AGENT_CONSOLE_LISTEN to an address of this host (e.g. 0.0.0.0:7448)" };
  }
}

/**
 * Every domain the agent defined needs its VNC display on a UNIX socket (issue 18): older domains
 * have none or a TCP port. Carve's start does not redefine a domain, so a stop and start alone
 * does not help: the display must be changed in libvirt first.
 */
function checkVncSockets(domains: readonly TDoctorDomain[]): TDoctorCheck {
  const name = "VNC displays";
  const old = domains.filter((d) => !d.vncOnSocket).map((d) => d.name);
  if (old.length === 0) return { name, status: "ok", detail: `all ${domains.length} Carve domain(s) have their VNC display on a UNIX socket` };
  return {
    name,
    status: "warn",
    detail: `${old.length} of ${domains.length} Carve domain(s) were defined before consoles and have no VNC display on a UNIX socket (none, or a TCP port): ${old.join(", ")}; their graphical console cannot open (Carve's start does not redefine a domain)`,
    fix: `for each: virsh edit DOMAIN, replace its <graphics> element with <graphics type='vnc'><listen type='socket'/></graphics>, then stop and start the VM through Carve (portal or 'carve vm stop/start')`,
  };
}

/** True when no check failed (warnings allowed). */
export const doctorPassed = (checks: readonly TDoctorCheck[]): boolean => checks.every((c) => c.status !== "fail");

/** The human report: one line per check, the fix under each failure or warning. */
export function formatDoctor(checks: readonly TDoctorCheck[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.flatMap((c) => [
    `${c.status === "ok" ? "ok  " : c.status === "warn" ? "warn" : "FAIL"}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.fix && c.status !== "ok" ? [`      ${" ".repeat(width)}  fix: ${c.fix}`] : []),
  ]);
}
