import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findCommand, run, sleep } from "./run.ts";

/** A guest's DHCP reservation on the LAN: what Carve allocated for its NIC. */
export interface TLanReservation {
  mac: string;
  ip: string;
  hostname: string;
}

export interface TLanBridge {
  bridge: string;
  /** Makes the LAN's DHCP server hand `ip` to `mac` (dnsmasq re-reads its hosts file on SIGHUP). */
  reserve(entry: TLanReservation): Promise<void>;
  /** Stops the DHCP server and deletes the bridge (with whatever taps are still on it). */
  stop(): Promise<void>;
}

/** 24 → 255.255.255.0 */
function prefixMask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join(".");
}

/**
 * The company LAN of a Carve `bridge` network, made on this machine: a Linux bridge `name` with the
 * gateway's address on it (the host side, inside the company CIDR, from where the tests connect)
 * and a dnsmasq on it as the LAN's DHCP server, serving only the reservations given to `reserve`
 * (the tiny guest asks DHCP for its address, where a cloud image would read cloud-init's
 * network-config). No DNS (port 0). Its files live in `dir`. Needs root and dnsmasq (dnsmasq-base).
 */
export async function startLanBridge(name: string, subnet: { cidr: string; gateway: string }, dir: string): Promise<TLanBridge> {
  if (!(await findCommand("dnsmasq"))) throw new Error("No dnsmasq for the test LAN's DHCP: apt-get install -y dnsmasq-base");
  const [network = "", prefix = "24"] = subnet.cidr.split("/");
  const hostsFile = join(dir, "lan-dhcp-hosts");
  await writeFile(hostsFile, "", { mode: 0o644 });
  const entries = new Map<string, TLanReservation>();

  await run("ip", ["link", "add", name, "type", "bridge"]);
  const deleteBridge = () => run("ip", ["link", "del", name]).then(() => undefined);
  try {
    await run("ip", ["addr", "add", `${subnet.gateway}/${prefix}`, "dev", name]);
    await run("ip", ["link", "set", name, "up"]);
  } catch (error) {
    await deleteBridge();
    throw error;
  }
  const dnsmasq = spawn(
    "dnsmasq",
    [
      "--keep-in-foreground",
      "--conf-file=/dev/null",
      "--port=0",
      "--bind-interfaces",
      `--interface=${name}`,
      "--except-interface=lo",
      `--dhcp-range=${network},static,${prefixMask(Number(prefix))}`,
      `--dhcp-hostsfile=${hostsFile}`,
      `--dhcp-leasefile=${join(dir, "lan-dhcp-leases")}`,
      "--dhcp-authoritative",
      `--pid-file=${join(dir, "lan-dnsmasq.pid")}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  let exited = false;
  dnsmasq.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  dnsmasq.once("exit", () => (exited = true));
  // dnsmasq fails at once on a bad option or a busy port; give it that moment.
  await sleep(300);
  if (exited) {
    await deleteBridge();
    throw new Error(`the test LAN's dnsmasq on ${name} exited: ${stderr.trim()}`);
  }

  return {
    bridge: name,
    async reserve(entry) {
      entries.set(entry.mac, entry);
      await writeFile(hostsFile, [...entries.values()].map((e) => `${e.mac},${e.ip},${e.hostname}\n`).join(""));
      dnsmasq.kill("SIGHUP");
    },
    async stop() {
      if (!exited) {
        dnsmasq.kill("SIGTERM");
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      }
      await deleteBridge();
    },
  };
}
