import { CarveError } from "@carve/core";
import type { Command } from "commander";
import type { TNetworkSummary, TUpdateNetworkArgs } from "../client/carve-client.ts";
import { iso, table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { followJobWith } from "./wait.ts";

const list = (value: string, previous: string[] = []) => [...previous, value];

/** `--kind managed|bridge` as core spells it; anything else goes to core as typed, which names the choices. */
const kindOf = (kind: string) => ({ managed: "Managed", bridge: "Bridge" })[kind.toLowerCase()] ?? kind;

/** `--range START-END` as core's two fields. */
function rangeOf(range: string): { rangeStart: string; rangeEnd: string } {
  const [rangeStart, rangeEnd, ...rest] = range.split("-").map((s) => s.trim());
  if (!rangeStart || !rangeEnd || rest.length > 0) {
    const message = "must be START-END, the first and last address Carve hands to VMs, e.g. 10.0.0.10-10.0.0.200";
    throw new CarveError("INVALID_INPUT", `Invalid input. range: ${message}`, { fields: [{ field: "range", message }] });
  }
  return { rangeStart, rangeEnd };
}

const rangeText = (n: Pick<TNetworkSummary, "rangeStart" | "rangeEnd">) => (n.rangeStart && n.rangeEnd ? `${n.rangeStart}-${n.rangeEnd}` : null);

/** What `network show` prints: every field, its hosts, and the VMs on it. */
function networkLines(n: TNetworkSummary & { vms: { name: string; owner: string; state: string; host: string | null; mac: string; ip: string | null }[] }): string[] {
  const fields: [string, string | number | null][] = [
    ["name", n.name],
    ["id", n.id],
    ["kind", n.kind],
    ["mode", n.mode],
    ["cidr", n.cidr],
    ["gateway", n.gateway],
    ["range", rangeText(n)],
    ["addresses", n.rangeSize > 0 ? `${n.nics} used, ${n.freeAddresses ?? 0} free of ${n.rangeSize}` : `${n.nics} NIC(s); no range (the LAN's DHCP gives addresses)`],
    ["dns domain", n.dnsDomain],
    ["libvirt name", n.libvirtName],
    ["bridge", n.bridge],
    ["default", n.isDefault ? "yes" : "no"],
    ["hosts", n.hosts.map((h) => h.name).join(", ")],
    ["description", n.description],
    ["created", iso(n.createdAt) ?? null],
  ];
  return [
    ...fields.map(([label, value]) => `${`${label}:`.padEnd(14)}${value ?? "-"}`),
    "",
    ...(n.vms.length === 0 ? ["no VM is on it"] : table(["VM", "OWNER", "STATE", "HOST", "IP", "MAC"], n.vms.map((v) => [v.name, v.owner, v.state, v.host, v.ip, v.mac]))),
  ];
}

interface TUpdateOptions {
  description?: string;
  cidr?: string;
  gateway?: string | false;
  range?: string | false;
  dnsDomain?: string | false;
  bridge?: string;
  mode?: string;
  host?: string[];
  default?: boolean;
}

/** The changes `network update` sends: a `--no-…` option removes the field (null). */
function changesOf(o: TUpdateOptions): TUpdateNetworkArgs {
  const range = o.range === undefined ? {} : o.range === false ? { rangeStart: null, rangeEnd: null } : rangeOf(o.range);
  return {
    description: o.description,
    cidr: o.cidr,
    gateway: o.gateway === false ? null : o.gateway,
    ...range,
    dnsDomain: o.dnsDomain === false ? null : o.dnsDomain,
    bridge: o.bridge,
    mode: o.mode,
    hosts: o.host,
    isDefault: o.default,
  };
}

/** `carve network create|list|show|update|define|delete`: guest networks (admins). */
export function registerNetworkCommands(program: Command, out: () => TOutput): void {
  const network = program.command("network").description("guest networks VMs get their NIC and address on");
  network.command("create <name>").description("register a guest network: managed (a libvirt network Carve defines) or bridge (an existing Linux bridge)")
    .requiredOption("--kind <kind>", "managed or bridge")
    .requiredOption("--cidr <cidr>", "the subnet, e.g. 10.0.0.0/24")
    .requiredOption("--host <host>", "a host that has it (repeat for several)", list)
    .option("--gateway <ip>", "the guests' default route (managed: the bridge's address), outside the range")
    .option("--range <start-end>", "the addresses Carve hands to VMs, e.g. 10.0.0.10-10.0.0.200")
    .option("--dns-domain <domain>", "VMs are named <vm>.<domain>")
    .option("--bridge <name>", "bridge: the existing Linux bridge on each host (e.g. br0); managed: the bridge libvirt makes")
    .option("--mode <mode>", "managed: nat or routed (default nat)")
    .option("--libvirt-name <name>", "managed: its name in libvirt (default: the network's name)")
    .option("--default", "new VMs whose offering names no network get their NIC here")
    .option("--description <text>", "free text")
    .action(async (name: string, o: { kind: string; cidr: string; host: string[]; gateway?: string; range?: string; dnsDomain?: string; bridge?: string; mode?: string; libvirtName?: string; default?: boolean; description?: string }) =>
      withClient(async (client) => {
        const n = await client.createNetwork({
          name, kind: kindOf(o.kind), cidr: o.cidr, hosts: o.host, isDefault: o.default === true,
          gateway: o.gateway, ...(o.range === undefined ? {} : rangeOf(o.range)), dnsDomain: o.dnsDomain,
          bridge: o.bridge, mode: o.mode, libvirtName: o.libvirtName, description: o.description,
        }); // prettier-ignore
        out().result(n, () => [`network ${n.name} created (${n.kind}, ${n.cidr}${n.rangeSize > 0 ? `, ${n.rangeSize} addresses` : ""}) on ${n.hosts.map((h) => h.name).join(", ")}${n.isDefault ? "; it is the default network" : ""} (${n.id})`]);
      }),
    );
  network.command("list").description("guest networks with their ranges and address use").action(async () =>
    withClient(async (client) => {
      const networks = await client.listNetworks();
      out().result(networks, () =>
        table(
          ["NAME", "KIND", "CIDR", "RANGE", "USED", "FREE", "HOSTS", "DEFAULT"],
          networks.map((n) => [n.name, n.kind, n.cidr, rangeText(n), n.nics, n.freeAddresses, n.hosts.map((h) => h.name).join(","), n.isDefault ? "yes" : ""]),
        ),
      );
    }),
  );
  network.command("show <network>").description("one network: every field, its hosts and the VMs on it").action(async (ref: string) =>
    withClient(async (client) => {
      const n = await client.getNetwork(ref);
      out().result(n, () => networkLines(n));
    }),
  );
  network.command("update <network>").description("change a network (options left out stay); refused, naming them, when it would strand VMs on it")
    .option("--description <text>", "free text")
    .option("--cidr <cidr>", "the subnet (only while no VM is on it)")
    .option("--gateway <ip>", "the guests' default route (only while no VM is on it)")
    .option("--no-gateway", "bridge: remove the gateway")
    .option("--range <start-end>", "the addresses Carve hands to VMs (widening it is fine while VMs are on it)")
    .option("--no-range", "Carve hands out no more addresses (only when no VM holds one)")
    .option("--dns-domain <domain>", "VMs are named <vm>.<domain>")
    .option("--no-dns-domain", "remove the DNS domain")
    .option("--bridge <name>", "the bridge on each host")
    .option("--mode <mode>", "managed: nat or routed")
    .option("--host <host>", "the hosts that have it, replacing the list (repeat)", list)
    .option("--default", "make it the default network")
    .option("--no-default", "it is no longer the default network")
    .action(async (ref: string, o: TUpdateOptions) =>
      withClient(async (client) => {
        const n = await client.updateNetwork(ref, changesOf(o));
        out().result(n, () => [`network ${n.name} updated: ${n.cidr}${rangeText(n) ? `, range ${rangeText(n)}` : ", no range"}, on ${n.hosts.map((h) => h.name).join(", ")}${n.isDefault ? "; it is the default network" : ""}`]);
      }),
    );
  network.command("define <network>").description("(re)define the network on its hosts: the retry after fixing what an Unhealthy host names (a missing bridge, dnsmasq)")
    .option("--host <host>", "only on this host")
    .option("--wait", "wait until every host has defined it")
    .option("--timeout <seconds>", "how long --wait waits", "120")
    .action(async (ref: string, o: { host?: string; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const d = await client.defineNetwork(ref, o.host);
        const jobs = o.wait ? await Promise.all(d.jobs.map((job) => followJobWith(client.waitForJob, job.id, out(), Number(o.timeout)))) : d.jobs;
        out().result({ network: d.network, jobs }, () => [`network ${d.network.name}: ${o.wait ? "defined" : "being defined"} on ${jobs.length} host(s) (job(s) ${jobs.map((j) => j.id).join(", ")})`]);
      }),
    );
  network.command("delete <network>").description("delete a network no VM and no offering uses").action(async (ref: string) =>
    withClient(async (client) => {
      const d = await client.deleteNetwork(ref);
      out().result(d, () => [`network ${d.name} deleted`]);
    }),
  );
}
