import { CarveError, describeOpenedPort, describeRule } from "@carve/core";
import type { Command } from "commander";
import type { TSecurityGroupSummary } from "../client/carve-client.ts";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

/** A port that is not a number is refused here; core judges the number (1–65535). */
function notAPort(text: string, range: boolean): CarveError {
  const fix = range ? "give a port (8080) or a range (8080-8090)" : "give a port number, e.g. 8080";
  return new CarveError("INVALID_INPUT", `Invalid input. port: '${text}' is not a port: ${fix}`, { fields: [{ field: "port", message: `is not a port: ${fix}` }] });
}

/** `--port 8080` or `--port 8080-8090` as core's portFrom/portTo. */
function portRange(text: string | undefined): { portFrom?: number; portTo?: number } {
  if (text === undefined) return {};
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) throw notAPort(text, true);
  return { portFrom: Number(match[1]), ...(match[2] === undefined ? {} : { portTo: Number(match[2]) }) };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
const updating = (jobs: number) => (jobs > 0 ? `; the filters of ${plural(jobs, "VM")} are being updated` : "");
const ports = (r: { portFrom: number | null; portTo: number | null }) => (r.portFrom === null ? "all" : r.portTo !== null && r.portTo !== r.portFrom ? `${r.portFrom}-${r.portTo}` : String(r.portFrom));

function showGroup(group: TSecurityGroupSummary): string[] {
  return [
    `security group ${group.name} (owner ${group.owner.username})${group.description ? `: ${group.description}` : ""}`,
    ...(group.rules.length === 0 ? ["no rules: nothing may come in through this group"] : table(["RULE ID", "PROTOCOL", "PORTS", "SOURCE", "DESCRIPTION"], group.rules.map((r) => [r.id, r.protocol, ports(r), r.source, r.description]))),
    `VMs: ${group.vms.map((v) => v.name).join(", ") || "none"}`,
  ];
}

/**
 * `carve sg …` (security groups and their rules), `carve vm groups|open` and `carve settings
 * network`. Registered after the `vm` and `settings` commands, which it adds to.
 */
export function registerSecurityGroupCommands(program: Command, out: () => TOutput): void {
  const sg = program.command("sg").description("security groups: which ports of your VMs are open, and to whom");

  sg.command("list").description("your security groups (admins with --all: everyone's)").option("--all", "admins: every user's groups").action(async (o: { all?: boolean }) =>
    withClient(async (client) => {
      const groups = await client.listSecurityGroups(Boolean(o.all));
      out().result(groups, () => table(["NAME", "OWNER", "RULES", "VMS", "DESCRIPTION"], groups.map((g) => [g.name, g.owner.username, g.rules.length, g.vms.map((v) => v.name).join(",") || undefined, g.description])));
    }),
  );

  sg.command("create <name>").description("a new, empty security group of yours").option("--description <text>").action(async (name: string, o: { description?: string }) =>
    withClient(async (client) => {
      const group = await client.createSecurityGroup({ name, ...(o.description === undefined ? {} : { description: o.description }) });
      out().result(group, () => [`security group ${group.name} created; it lets nothing in until you add rules ('carve sg rule add ${group.name} --protocol tcp --port 8080')`]);
    }),
  );

  sg.command("show <group>").description("a security group's rules (with their ids) and the VMs in it").action(async (ref: string) =>
    withClient(async (client) => {
      const group = await client.getSecurityGroup(ref);
      out().result(group, () => showGroup(group));
    }),
  );

  sg.command("delete <group>").description("delete a security group no VM is in").action(async (ref: string) =>
    withClient(async (client) => {
      const deleted = await client.deleteSecurityGroup(ref);
      out().result(deleted, () => [`security group ${deleted.name} deleted`]);
    }),
  );

  const rule = sg.command("rule").description("a security group's ingress rules");
  rule.command("add <group>").description("let traffic in: a protocol, a port or range (tcp, udp) and a source")
    .requiredOption("--protocol <protocol>", "tcp, udp, icmp or all")
    .option("--port <port>", "tcp/udp: a port (8080) or a range (8080-8090)")
    .option("--source <source>", "a CIDR (10.1.0.0/16), an address, another of your groups, or 'company' (the default)")
    .option("--description <text>")
    .action(async (group: string, o: { protocol: string; port?: string; source?: string; description?: string }) => {
      const range = portRange(o.port);
      await withClient(async (client) => {
        const added = await client.addSecurityRule(group, { protocol: o.protocol, ...range, source: o.source, description: o.description });
        out().result(added, () => [added.added ? `${group}: ${describeRule(added.rule)} allowed (rule ${added.rule.id})${updating(added.jobs)}` : `${group}: ${describeRule(added.rule)} was allowed already (rule ${added.rule.id})`]);
      });
    });
  rule.command("remove <group> <ruleId>").description("remove a rule (see the ids with 'carve sg show GROUP'); its VMs lose that access at once").action(async (group: string, ruleId: string) =>
    withClient(async (client) => {
      const removed = await client.removeSecurityRule(group, ruleId);
      out().result(removed, () => [`${group}: ${describeRule(removed.rule)} no longer allowed (rule ${removed.rule.id} removed)${updating(removed.jobs)}`]);
    }),
  );

  const vm = program.commands.find((c) => c.name() === "vm") ?? program.command("vm");
  vm.command("groups <vm>").description("a VM's security groups; --set replaces them").option("--set <groups>", "comma-separated group names, e.g. default,web ('' for none: nothing may come in)").action(async (ref: string, o: { set?: string }) =>
    withClient(async (client) => {
      if (o.set === undefined) {
        const view = await client.getVmSecurityGroups(ref);
        out().result(view, () => [`${view.vm.name}: ${view.groups.map((g) => g.name).join(", ") || "no security groups (nothing may come in)"}`]);
        return;
      }
      const groups = o.set.split(",").map((g) => g.trim()).filter((g) => g !== "");
      const view = await client.setVmSecurityGroups(ref, groups);
      out().result(view, () => [`${view.vm.name}'s security groups are now ${view.groups.map((g) => g.name).join(", ") || "none (nothing may come in)"}${updating(view.jobs ?? 0)}`]);
    }),
  );
  vm.command("open <vm> <port>").description("open a port of a VM (from the company network unless --source) through its own group vm-NAME")
    .option("--protocol <protocol>", "tcp or udp", "tcp")
    .option("--source <source>", "a CIDR (10.1.0.0/16), an address, another of the owner's groups, or 'company' (the default)")
    .action(async (ref: string, port: string, o: { protocol: string; source?: string }) => {
      if (!/^\d{1,5}$/.test(port)) throw notAPort(port, false);
      await withClient(async (client) => {
        const opened = await client.openVmPort(ref, { port: Number(port), protocol: o.protocol, source: o.source });
        out().result(opened, () => [`${describeOpenedPort(opened)} (security group ${opened.group.name}, rule ${opened.rule.id})`]);
      });
    });

  const settings = program.commands.find((c) => c.name() === "settings") ?? program.command("settings").description("Carve settings");
  settings.command("network").description("the company's networks: the source 'company' of security-group rules (no option: show them)")
    .option("--company-cidr <cidr...>", "every company network, e.g. 10.0.0.0/8 192.168.0.0/16 (replaces the list)")
    .action(async (o: { companyCidr?: string[] }) =>
      withClient(async (client) => {
        const s = await client.changeSettings("network", { companyCidrs: o.companyCidr });
        out().result(s, () => [`network: company networks ${s.companyCidrs.join(", ")}`]);
      }),
    );
}
