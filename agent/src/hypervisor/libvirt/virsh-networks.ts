import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HypervisorError } from "../errors.ts";
import type { TNetworkDefinition, TNetworkEntry, TNetworkHostEntry, TNetworkHosts, TNetworkStatus } from "../hypervisor.ts";
import { buildDhcpHostXml, buildDnsHostXml, buildNetworkXml, parseNetworkXml, planEntryRemoval, planHostEntry, planHostRemoval, type THostEntryPlan, type TParsedNetwork } from "./network-xml.ts";
import type { VirshSession } from "./virsh-session.ts";
import { runVirsh } from "./virsh-storage.ts";

/** True when a Linux bridge of that name exists on this machine (the kernel lists it under sysfs). */
export async function linuxBridgeExists(name: string): Promise<boolean> {
  return access(`/sys/class/net/${name}/bridge`).then(
    () => true,
    () => false,
  );
}

/** The refusal for a bridge network whose bridge is missing on this host. */
export function missingBridge(bridge: string, host: string): HypervisorError {
  return HypervisorError.refusal(
    `bridge ${bridge} does not exist on host ${host}: create it (ip link add ${bridge} type bridge, then enslave the host's LAN interface) or remove ${host} from the network's hosts`,
  );
}

/**
 * Guest networks through the agent's virsh session: define/adopt/start/autostart a managed
 * network, and keep its dnsmasq DHCP host entries and DNS records in step with Carve's addresses
 * (`net-update … --live --config`: the running dnsmasq and the persistent definition). XML goes
 * through private temporary files, as virsh's whitelist admits no XML words.
 */
export class VirshNetworks {
  constructor(
    private readonly session: VirshSession,
    private readonly hostName: () => Promise<string>,
    private readonly bridgeExists: (name: string) => Promise<boolean> = linuxBridgeExists,
  ) {}

  async list(): Promise<TNetworkStatus[]> {
    const names = (await this.run("libvirt could not list networks", ["net-list", "--all", "--name"]))
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const statuses: TNetworkStatus[] = [];
    for (const name of names) statuses.push(await this.status(name));
    return statuses;
  }

  async define(definition: TNetworkDefinition): Promise<{ name: string; adopted: boolean; status: TNetworkStatus }> {
    if (definition.kind === "bridge") {
      const bridge = definition.bridge ?? definition.name;
      if (!(await this.bridgeExists(bridge))) throw missingBridge(bridge, await this.hostName());
      return { name: bridge, adopted: true, status: { name: bridge, active: true, autostart: true, bridge } };
    }
    const existing = await this.list();
    const same = existing.find((n) => n.name === definition.name) ?? existing.find((n) => definition.bridge !== undefined && n.bridge === definition.bridge);
    const name = same?.name ?? definition.name;
    if (!same) {
      if (definition.address === undefined || definition.prefix === undefined) {
        throw HypervisorError.refusal(`managed network ${name} needs its gateway address and prefix: give the network a gateway in Carve`);
      }
      await this.withXmlFile(buildNetworkXml(definition), (file) => this.run(`libvirt refused to define network ${name}`, ["net-define", file]));
    }
    if (!same?.active) await this.run(`libvirt could not start network ${name} (is dnsmasq installed? apt-get install dnsmasq-base)`, ["net-start", name]);
    if (!same?.autostart) await this.run(`libvirt could not mark network ${name} autostart`, ["net-autostart", name]);
    return { name, adopted: same !== undefined, status: await this.status(name) };
  }

  async undefine(name: string): Promise<boolean> {
    if (!(await this.list()).some((n) => n.name === name)) return false;
    const status = await this.status(name);
    if (status.active) await this.run(`libvirt could not stop network ${name}`, ["net-destroy", name]);
    await this.run(`libvirt could not undefine network ${name}`, ["net-undefine", name]);
    return true;
  }

  async addHost(network: string, entry: TNetworkHostEntry): Promise<void> {
    await this.apply(network, planHostEntry(await this.read(network), entry));
  }

  async hosts(network: string): Promise<TNetworkHosts> {
    const { dhcpHosts, dnsHosts } = await this.read(network);
    return { dhcpHosts, dnsHosts };
  }

  async removeHost(network: string, mac: string): Promise<void> {
    const current = await this.readIfThere(network);
    if (current !== null) await this.apply(network, planHostRemoval(current, mac));
  }

  async removeEntry(network: string, entry: TNetworkEntry): Promise<boolean> {
    const current = await this.readIfThere(network);
    if (current === null) return false;
    const plan = planEntryRemoval(current, entry);
    await this.apply(network, plan);
    return plan.deleteDhcp.length + plan.deleteDns.length > 0;
  }

  /** The network's entries, or null when the network is gone (it holds none: nothing to remove). */
  private readIfThere(network: string): Promise<TParsedNetwork | null> {
    return this.read(network).catch((error: unknown) => {
      if (error instanceof HypervisorError && /network not found|no network with matching/i.test(error.libvirtMessage)) return null;
      throw error;
    });
  }

  private async apply(network: string, plan: THostEntryPlan): Promise<void> {
    const update = (action: "add" | "delete", section: "ip-dhcp-host" | "dns-host", xml: string) =>
      this.withXmlFile(xml, (file) => this.run(`libvirt could not ${action} a ${section} entry of network ${network}`, ["net-update", network, action, section, file, "--live", "--config"]));
    for (const h of plan.deleteDns) await update("delete", "dns-host", buildDnsHostXml(h));
    for (const h of plan.deleteDhcp) await update("delete", "ip-dhcp-host", buildDhcpHostXml(h));
    if (plan.addDhcp) await update("add", "ip-dhcp-host", buildDhcpHostXml(plan.addDhcp));
    if (plan.addDns) await update("add", "dns-host", buildDnsHostXml(plan.addDns));
  }

  private async read(network: string): Promise<TParsedNetwork> {
    return parseNetworkXml(await this.run(`libvirt could not describe network ${network}`, ["net-dumpxml", network]));
  }

  private async status(name: string): Promise<TNetworkStatus> {
    const info = await this.run(`libvirt could not read network ${name}`, ["net-info", name]);
    const value = (key: string): string | undefined => new RegExp(`^${key}:\\s*(.*)$`, "m").exec(info)?.[1]?.trim();
    return { name, active: value("Active") === "yes", autostart: value("Autostart") === "yes", bridge: value("Bridge") ?? null };
  }

  private async withXmlFile(xml: string, fn: (file: string) => Promise<string>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), "carve-net-"));
    try {
      const file = join(dir, "network.xml");
      await writeFile(file, xml, { mode: 0o600 });
      await fn(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(what: string, argv: readonly string[]): Promise<string> {
    return runVirsh(this.session, what, argv);
  }
}
