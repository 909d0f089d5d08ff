import { createVmOnce, listOfferings, listSshKeys, listTemplates, renderWays, ZCreateVmInput, type TUserActor } from "@carve/core";
import type { types } from "@slack/bolt";
import type { TCommandLine } from "./command-line.ts";
import type { TSlackCtx, TVmCommand } from "./context.ts";
import { followJobInMessage } from "./progress.ts";
import { errorReply, logUnexpected } from "./replies.ts";
import { actorForSlack } from "./slack-user.ts";

export const CREATE_VIEW = "vm_create";

/** The form's blocks, named as createVm's fields so a field's error lands under its input. */
const FIELD_BLOCKS = { name: "name", template: "template", offering: "offering", sshKeys: "ssh_keys" } as const;

/** Where a form's progress message goes: the channel `/vm create` was typed in. */
interface TCreateViewMeta {
  channel: string;
}

/**
 * Creates a VM (once per Slack request: `requestKey` is the same on every retry of it) and follows
 * it in one progress message. A retry of a request already accepted does nothing more: the first
 * answers. Refusals (bad field, name taken, no capacity with each host's reason) throw to the caller.
 */
async function createAndFollow(ctx: TSlackCtx, actor: TUserActor, channel: string, requestKey: string, input: Record<string, unknown>): Promise<void> {
  const created = await createVmOnce(ctx.core, actor, { ...input, requestKey });
  if (created.duplicate) {
    ctx.log.info({ requestKey, vmId: created.vmId }, "ignored a retry of a create already accepted");
    return;
  }
  const { vm, job } = created;
  await followJobInMessage(ctx, { actor, channel, title: `Creating *${vm.name}*`, jobId: job.id, vm });
}

/** `/vm create NAME template=T offering=O [ssh-keys=a,b]`. */
export async function createInline(ctx: TSlackCtx, actor: TUserActor, cmd: TVmCommand, line: TCommandLine): Promise<void> {
  const { "ssh-keys": sshKeys, ...options } = line.options;
  const input = { name: line.args[0], ...options, ...(sshKeys === undefined ? {} : { sshKeys: sshKeys.split(",").filter((k) => k !== "") }) };
  await createAndFollow(ctx, actor, cmd.channel, `slack:${cmd.teamId}:command:${cmd.triggerId}`, input);
}

function option(text: string, value: string): types.PlainTextOption {
  return { text: { type: "plain_text", text: text.slice(0, 75) }, value };
}

/** `/vm create` alone: a form with the name and the ready templates and active offerings to choose from. */
export async function openCreateModal(ctx: TSlackCtx, actor: TUserActor, cmd: TVmCommand): Promise<void> {
  const [templates, offerings, keys] = await Promise.all([listTemplates(ctx.core, actor), listOfferings(ctx.core, actor), listSshKeys(ctx.core, actor)]);
  const ready = templates.filter((t) => t.state === "Ready");
  if (ready.length === 0 || offerings.length === 0) {
    await ctx.client.chat.postEphemeral({
      channel: cmd.channel,
      user: cmd.slackUserId,
      text: `:warning: There is nothing to create a VM from yet (${ready.length} ready templates, ${offerings.length} offerings). Ask a Carve admin.`,
    });
    return;
  }
  const meta: TCreateViewMeta = { channel: cmd.channel };
  await ctx.client.views.open({
    trigger_id: cmd.triggerId,
    view: {
      type: "modal",
      callback_id: CREATE_VIEW,
      private_metadata: JSON.stringify(meta),
      title: { type: "plain_text", text: "Create a VM" },
      submit: { type: "plain_text", text: "Create" },
      close: { type: "plain_text", text: "Cancel" },
      blocks: [
        {
          type: "input",
          block_id: FIELD_BLOCKS.name,
          label: { type: "plain_text", text: "Name" },
          hint: { type: "plain_text", text: "Lowercase letters, digits and hyphens, e.g. web-1; it becomes the hostname." },
          element: { type: "plain_text_input", action_id: "value", max_length: 63 },
        },
        {
          type: "input",
          block_id: FIELD_BLOCKS.template,
          label: { type: "plain_text", text: "Template" },
          element: { type: "static_select", action_id: "value", options: ready.slice(0, 100).map((t) => option(t.name, t.name)) },
        },
        {
          type: "input",
          block_id: FIELD_BLOCKS.offering,
          label: { type: "plain_text", text: "Offering" },
          element: {
            type: "static_select",
            action_id: "value",
            options: offerings.slice(0, 100).map((o) => option(`${o.name} (${o.vcpus} vCPU, ${o.memoryMiB} MiB, ${o.rootDiskGiB} GiB)`, o.name)),
          },
        },
        // Only users with SSH keys get the select (Slack refuses a select without options).
        ...(keys.length === 0
          ? []
          : [
              {
                type: "input" as const,
                block_id: FIELD_BLOCKS.sshKeys,
                optional: true,
                label: { type: "plain_text" as const, text: "SSH keys" },
                hint: { type: "plain_text" as const, text: "Put into the VM by cloud-init (templates that support it)." },
                element: { type: "multi_static_select" as const, action_id: "value", options: keys.slice(0, 100).map((k) => option(`${k.name} (${k.fingerprint})`, k.name)) },
              },
            ]),
      ],
    },
  });
}

type TViewValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] }>>;

/** The form's values as createVm's input. */
export function createInputOfView(values: TViewValues): Record<string, unknown> {
  const input = (block: string) => values[block]?.["value"];
  const read = (block: string) => input(block)?.selected_option?.value ?? input(block)?.value ?? undefined;
  return {
    name: read(FIELD_BLOCKS.name),
    template: read(FIELD_BLOCKS.template),
    offering: read(FIELD_BLOCKS.offering),
    sshKeys: (input(FIELD_BLOCKS.sshKeys)?.selected_options ?? []).map((o) => o.value),
  };
}

/**
 * Errors to show under the form's inputs when its values cannot be a VM (core's own validation,
 * so the form and every other front door agree), or null when they can.
 */
export function viewErrors(input: Record<string, unknown>): Record<string, string> | null {
  const parsed = ZCreateVmInput.safeParse(input);
  if (parsed.success) return null;
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "name");
    errors[field in FIELD_BLOCKS ? FIELD_BLOCKS[field as keyof typeof FIELD_BLOCKS] : FIELD_BLOCKS.name] ??= renderWays(issue.message, "slack");
  }
  return errors;
}

/** After the form was accepted (and closed): creates the VM once per form; answers in the channel `/vm create` came from. */
export async function createFromView(ctx: TSlackCtx, slackUserId: string, view: { id: string; private_metadata: string }, input: Record<string, unknown>): Promise<void> {
  const { channel } = JSON.parse(view.private_metadata) as TCreateViewMeta;
  try {
    const actor = await actorForSlack(ctx.core, ctx.client, slackUserId);
    await createAndFollow(ctx, actor, channel, `slack:view:${view.id}`, input);
  } catch (error) {
    logUnexpected(ctx, error);
    await ctx.client.chat.postEphemeral({ channel, user: slackUserId, text: errorReply(error) });
  }
}
