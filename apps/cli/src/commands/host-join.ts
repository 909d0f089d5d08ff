import type { Command } from "commander";
import type { TOutput } from "../output.ts";
import { withClient } from "../session.ts";

const UNIT_MINUTES: Record<string, number> = { "": 1, m: 1, h: 60, d: 1440 };
/** `90`, `90m`, `2h`, `1d` in minutes; NaN (refused by core, naming the field) otherwise. */
const minutes = (value: string): number => {
  const match = /^(\d+)([mhd]?)$/.exec(value.trim());
  return match ? Number(match[1]) * (UNIT_MINUTES[match[2] ?? ""] ?? Number.NaN) : Number.NaN;
};

/** The join command (built by whoever knows the Redis settings: core locally, the server remotely) and how to use it. */
function tokenLines(hostName: string, expiresAt: Date | string, joinCommand: string): string[] {
  return [
    `Run this on the host, as root, before ${new Date(expiresAt).toISOString()} (the token works once and is not shown again):`,
    `  ${joinCommand}`,
    `then start its agent with 'carve-agent run'. Lost the token? 'carve host join-token ${hostName}'.`,
  ];
}

/** `carve host add`, `host join-token`, `host remove`. */
export function registerHostJoinCommands(host: Command, out: () => TOutput): void {
  host.command("add <name>").description("register a host and print the one-time command that joins its agent")
    .option("--uri <uri>", "libvirt URI the agent uses on the host", "qemu:///system")
    .option("--cpu-overcommit <factor>", "vCPU overcommit factor", "1")
    .option("--mem-overcommit <factor>", "memory overcommit factor", "1")
    .option("--token-ttl <duration>", "how long the join token works (minutes, or 2h, 1d)", "1h")
    .action(async (name: string, o: { uri: string; cpuOvercommit: string; memOvercommit: string; tokenTtl: string }) =>
      withClient(async (client) => {
        const h = await client.addHost({ name, uri: o.uri, cpuOvercommit: Number(o.cpuOvercommit), memOvercommit: Number(o.memOvercommit), joinTokenTtlMinutes: minutes(o.tokenTtl) });
        out().result(h, () => [`host ${h.name} added (${h.id}); it is ${h.state} until its agent joins.`, ...tokenLines(h.name, h.joinToken.expiresAt, h.joinCommand)]);
      }),
    );
  host.command("join-token <host>").description("issue a new one-time join token for a host (voids the previous one)")
    .option("--token-ttl <duration>", "how long the join token works (minutes, or 2h, 1d)", "1h")
    .action(async (ref: string, o: { tokenTtl: string }) =>
      withClient(async (client) => {
        const t = await client.issueJoinToken(ref, minutes(o.tokenTtl));
        out().result(t, () => tokenLines(t.hostName, t.expiresAt, t.joinCommand));
      }),
    );
  host.command("remove <host>").description("remove a host with no VMs left; its libvirt pools and domains stay on it")
    .action(async (ref: string) =>
      withClient(async (client) => {
        const h = await client.removeHost(ref);
        out().result(h, () => [`host ${h.name} removed. 'carve host add ${h.name}' brings it back; its agent then joins again.`]);
      }),
    );
}
