import { addHost, issueJoinToken, joinCommand as coreJoinCommand, removeHost, type TJoinToken } from "@carve/core";
import type { Command } from "commander";
import { loadEnv } from "../env.ts";
import type { TOutput } from "../output.ts";
import { withSession } from "../session.ts";

const UNIT_MINUTES: Record<string, number> = { "": 1, m: 1, h: 60, d: 1440 };
/** `90`, `90m`, `2h`, `1d` in minutes; NaN (refused by core, naming the field) otherwise. */
const minutes = (value: string): number => {
  const match = /^(\d+)([mhd]?)$/.exec(value.trim());
  return match ? Number(match[1]) * (UNIT_MINUTES[match[2] ?? ""] ?? Number.NaN) : Number.NaN;
};

/**
 * The command a host's administrator runs on the host, with the CLI's Redis address (set
 * CARVE_AGENT_REDIS_URL when hosts reach Redis by another address).
 */
export function joinCommand(token: string, uri: string): string {
  const env = loadEnv();
  return coreJoinCommand(token, uri, { redisUrl: env.REDIS_URL, joinRedisUrl: env.CARVE_AGENT_REDIS_URL, queuePrefix: env.CARVE_QUEUE_PREFIX });
}

function tokenLines(hostName: string, uri: string, joinToken: TJoinToken): string[] {
  return [
    `Run this on the host, as root, before ${joinToken.expiresAt.toISOString()} (the token works once and is not shown again):`,
    `  ${joinCommand(joinToken.token, uri)}`,
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
      withSession(async ({ core, actor }) => {
        const h = await addHost(core, actor, { name, uri: o.uri, cpuOvercommit: Number(o.cpuOvercommit), memOvercommit: Number(o.memOvercommit), joinTokenTtlMinutes: minutes(o.tokenTtl) });
        const { credentialHash: _hidden, ...shown } = h;
        out().result({ ...shown, joinCommand: joinCommand(h.joinToken.token, h.uri) }, () => [`host ${h.name} added (${h.id}); it is ${h.state} until its agent joins.`, ...tokenLines(h.name, h.uri, h.joinToken)]);
      }),
    );
  host.command("join-token <host>").description("issue a new one-time join token for a host (voids the previous one)")
    .option("--token-ttl <duration>", "how long the join token works (minutes, or 2h, 1d)", "1h")
    .action(async (ref: string, o: { tokenTtl: string }) =>
      withSession(async ({ core, actor }) => {
        const t = await issueJoinToken(core, actor, { host: ref, ttlMinutes: minutes(o.tokenTtl) });
        out().result({ ...t, joinCommand: joinCommand(t.token, t.hostUri) }, () => tokenLines(t.hostName, t.hostUri, t));
      }),
    );
  host.command("remove <host>").description("remove a host with no VMs left; its libvirt pools and domains stay on it")
    .action(async (ref: string) =>
      withSession(async ({ core, actor }) => {
        const h = await removeHost(core, actor, { host: ref });
        out().result({ id: h.id, name: h.name, state: h.state }, () => [`host ${h.name} removed. 'carve host add ${h.name}' brings it back; its agent then joins again.`]);
      }),
    );
}
