import { getQuota, getVm, listOfferings, listTemplates, listVms, rebootVm, recreateVm, startVm, stopVm, type TUserActor } from "@carve/core";
import { openPortInSlack } from "./open-port.ts";
import { consoleLinkInSlack } from "./console.ts";
import { USAGE, parseCommandLine, type TCommandLine } from "./command-line.ts";
import type { TSlackCtx, TVmCommand } from "./context.ts";
import { createInline, openCreateModal } from "./create.ts";
import { askToDestroy } from "./destroy.ts";
import { quotaLines, vmLine, vmStatus } from "./format.ts";
import { followJobInMessage } from "./progress.ts";
import { errorReply, logUnexpected } from "./replies.ts";
import { resetPasswordInSlack } from "./reset-password.ts";
import { actorForSlack } from "./slack-user.ts";

interface THandlerArgs {
  ctx: TSlackCtx;
  cmd: TVmCommand;
  actor: TUserActor;
  line: TCommandLine;
  reply: (text: string) => Promise<void>;
}

interface THandler {
  /** Positional arguments it takes (a VM name, for most; `open` a VM name and a port). */
  args: 0 | 1 | 2;
  /** `key=value` options it takes. */
  options?: readonly string[];
  /** `create` alone opens a form instead. */
  argsOptional?: boolean;
  /** What its arguments are, for the refusal of too many (default: from `args`). */
  takes?: string;
  run: (a: THandlerArgs) => Promise<void>;
}

const VM_ACTIONS = {
  start: { useCase: startVm, title: "Starting" },
  stop: { useCase: stopVm, title: "Stopping" },
  reboot: { useCase: rebootVm, title: "Rebooting" },
} as const;

function vmAction(verb: keyof typeof VM_ACTIONS): THandler {
  return {
    args: 1,
    run: async ({ ctx, cmd, actor, line }) => {
      const { useCase, title } = VM_ACTIONS[verb];
      const vm = await getVm(ctx.core, actor, { vm: line.args[0] });
      const job = await useCase(ctx.core, actor, { vm: vm.id });
      await followJobInMessage(ctx, { actor, channel: cmd.channel, title: `${title} *${vm.name}*`, jobId: job.id, vm });
    },
  };
}

const HANDLERS: Record<string, THandler> = {
  list: {
    args: 0,
    run: async ({ ctx, actor, reply }) => {
      const page = await listVms(ctx.core, actor, { limit: 50 });
      if (page.items.length === 0) return reply("You have no VMs. Create one with `/vm create`.");
      await reply([`*Your VMs* (${page.items.length}${page.nextCursor ? "+, newest first" : ""}):`, ...page.items.map(vmLine)].join("\n"));
    },
  },
  status: {
    args: 1,
    run: async ({ ctx, actor, line, reply }) => reply(vmStatus(await getVm(ctx.core, actor, { vm: line.args[0] }))),
  },
  start: vmAction("start"),
  stop: vmAction("stop"),
  reboot: vmAction("reboot"),
  destroy: {
    args: 1,
    run: async ({ ctx, cmd, actor, line }) => askToDestroy(ctx, actor, cmd, line.args[0]),
  },
  // day-2 (issue 19)
  recreate: {
    args: 1,
    run: async ({ ctx, cmd, actor, line }) => {
      const { vm, job } = await recreateVm(ctx.core, actor, { vm: line.args[0] });
      await followJobInMessage(ctx, { actor, channel: cmd.channel, title: `Re-creating *${vm.name}*`, jobId: job.id, vm });
    },
  },
  create: {
    args: 1,
    argsOptional: true,
    options: ["template", "offering", "ssh-keys"],
    run: async ({ ctx, cmd, actor, line }) =>
      line.args.length === 0 && Object.keys(line.options).length === 0 ? openCreateModal(ctx, actor, cmd) : createInline(ctx, actor, cmd, line),
  },
  templates: {
    args: 0,
    run: async ({ ctx, actor, reply }) => {
      const templates = await listTemplates(ctx.core, actor);
      if (templates.length === 0) return reply("There are no templates yet; ask a Carve admin to add one.");
      await reply(["*Templates*:", ...templates.map((t) => `• *${t.name}* — ${t.state}${t.description ? ` · ${t.description}` : ""} · at least ${t.minDiskGiB} GiB disk`)].join("\n"));
    },
  },
  offerings: {
    args: 0,
    run: async ({ ctx, actor, reply }) => {
      const offerings = await listOfferings(ctx.core, actor);
      if (offerings.length === 0) return reply("There are no offerings yet; ask a Carve admin to create one.");
      await reply(["*Offerings*:", ...offerings.map((o) => `• *${o.name}* — ${o.vcpus} vCPU · ${o.memoryMiB} MiB · ${o.rootDiskGiB} GiB disk`)].join("\n"));
    },
  },
  quota: {
    args: 0,
    run: async ({ ctx, actor, reply }) => reply(quotaLines(await getQuota(ctx.core, actor))),
  },
  "reset-password": {
    args: 1,
    run: async ({ ctx, cmd, actor, line }) => resetPasswordInSlack(ctx, actor, cmd, line.args[0]),
  },
  // security groups (issue 17)
  open: {
    args: 2,
    options: ["protocol"],
    run: async ({ ctx, actor, line, reply }) => reply(await openPortInSlack(ctx, actor, line)),
  },
  // console (issue 18): the link is answered ephemerally, like every reply here, so only its owner sees it
  console: {
    args: 2,
    argsOptional: true,
    takes: "a VM name and, for the text console, `serial`",
    run: async ({ ctx, actor, line, reply }) => reply(await consoleLinkInSlack(ctx, actor, line)),
  },
};

/** Why a command line does not fit its command, or null when it does. */
function misuse(sub: string, handler: THandler, line: TCommandLine): string | null {
  const unknown = Object.keys(line.options).filter((key) => !(handler.options ?? []).includes(key));
  if (unknown.length > 0) {
    const known = handler.options?.length ? ` (it takes ${handler.options.map((o) => `\`${o}=…\``).join(", ")})` : "";
    return `\`/vm ${sub}\` has no option ${unknown.map((u) => `\`${u.slice(0, 40)}\``).join(", ")}${known}.`;
  }
  if (line.args.length > handler.args) return `\`/vm ${sub}\` takes ${handler.takes ?? (handler.args === 0 ? "no arguments" : handler.args === 1 ? "one VM name" : "a VM name and a port")}.`;
  if (line.args.length < handler.args && !handler.argsOptional) return handler.args === 2 ? `\`/vm ${sub}\` needs the VM's name and a port: \`/vm ${sub} NAME 8080\`.` : `\`/vm ${sub}\` needs the VM's name: \`/vm ${sub} NAME\`.`;
  return null;
}

/**
 * Runs one `/vm` command after it was acknowledged: parses it, finds the Carve user, calls core
 * and answers. Every answer except progress messages is ephemeral (only the caller sees it);
 * nothing ends in silence: unknown commands and bad arguments get the usage or the field's error.
 */
export async function runVmCommand(ctx: TSlackCtx, cmd: TVmCommand): Promise<void> {
  const reply = async (text: string) => {
    await ctx.client.chat.postEphemeral({ channel: cmd.channel, user: cmd.slackUserId, text });
  };
  try {
    const line = parseCommandLine(cmd.text);
    if (line.sub === "help") return await reply(USAGE);
    const handler = HANDLERS[line.sub];
    if (!handler) return await reply(`:question: \`/vm\` has no command \`${line.sub.slice(0, 40)}\`.\n${USAGE}`);
    const problem = misuse(line.sub, handler, line);
    if (problem) return await reply(`:warning: ${problem}\n${USAGE}`);
    // The workspace goes into the audit trail as where the request came from.
    const actor = { ...(await actorForSlack(ctx.core, ctx.client, cmd.slackUserId)), origin: { slackTeam: cmd.teamId } };
    await handler.run({ ctx, cmd, actor, line, reply });
  } catch (error) {
    logUnexpected(ctx, error);
    await reply(errorReply(error)).catch((err: unknown) => ctx.log.error({ err }, "could not answer a /vm command"));
  }
}
