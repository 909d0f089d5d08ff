import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

interface TAuditOptions {
  user?: string;
  action?: string;
  target?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit: string;
  cursor?: string;
}

/** `carve audit`: who did what, to what, from where, and how it ended (admins). */
export function registerAuditCommand(program: Command, out: () => TOutput): void {
  program.command("audit").description("search the audit trail, newest first")
    .option("--user <user>", "username or user id of whoever acted")
    .option("--action <action>", "an action (vm.create), or a kind of action with a trailing dot (vm.)")
    .option("--target <target>", "the target's name or id")
    .option("--outcome <outcome>", "ok, refused or error")
    .option("--since <iso>", "from this time (e.g. 2026-11-27T09:00:00Z)")
    .option("--until <iso>", "before this time")
    .option("--limit <n>", "entries per page", "50")
    .option("--cursor <cursor>", "the next page, as printed after the last one")
    .action(async (o: TAuditOptions) =>
      withClient(async (client) => {
        const page = await client.searchAudit({
          actor: o.user, action: o.action, target: o.target, outcome: o.outcome, from: o.since, to: o.until, limit: o.limit, cursor: o.cursor,
        }); // prettier-ignore
        out().result(page, () => [
          ...table(
            ["AT", "WHO", "VIA", "FROM", "ACTION", "TARGET", "OUTCOME"],
            page.items.map((e) => [
              new Date(e.at).toISOString(),
              e.actorName ?? "system",
              e.via,
              e.clientAddr ?? (e.slackTeam ? `slack:${e.slackTeam}` : null) ?? (e.osUser ? `${e.osUser}@${e.osHost ?? "?"}` : null),
              e.action,
              e.targetType ? `${e.targetType} ${e.targetName ?? e.targetId ?? ""}`.trim() : null,
              e.errorCode ? `${e.outcome} ${e.errorCode}` : e.outcome,
            ]),
          ),
          ...(page.nextCursor ? [`more: carve audit --cursor ${page.nextCursor} (with the same filters)`] : []),
        ]);
      }),
    );
}
