import type { Command } from "commander";
import { iso, table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { readSecret } from "./read-secret.ts";

const ROLES: Record<string, "Admin" | "User"> = { admin: "Admin", user: "User" };

/** `carve user …`: list accounts, create local ones, disable and enable, sign out everywhere. */
export function registerUserCommands(program: Command, out: () => TOutput): void {
  const user = program.command("user").description("accounts: directory and local");

  user.command("list").description("every account with source, role, state, teams and live VMs")
    .option("--disabled", "only disabled accounts (with the VMs they still own)")
    .option("--search <text>", "only accounts whose username, name or email contain this")
    .option("--limit <n>", "page size", "50")
    .option("--cursor <cursor>", "the next page, from a previous listing")
    .action(async (o: { disabled?: boolean; search?: string; limit: string; cursor?: string }) =>
      withClient(async (client) => {
        const page = await client.listUsers({ disabledOnly: Boolean(o.disabled), search: o.search, limit: o.limit, cursor: o.cursor });
        out().result(page, () => [
          ...table(
            ["USERNAME", "SOURCE", "ROLE", "STATE", "TEAMS", "LIVE VMS", "LAST LOGIN"],
            page.items.map((u) => [u.username, u.source, u.role, u.disabledAt ? `disabled (${u.disabledReason ?? "?"})` : "active", u.teams.join(","), u.liveVms, iso(u.lastLoginAt)]),
          ),
          ...(page.nextCursor ? [`more: carve user list --cursor ${page.nextCursor} (with the same filters)`] : []),
        ]);
      }),
    );

  user.command("create <username>").description("create a local account (service or break-glass); password from stdin")
    .requiredOption("--password-stdin", "read the password from standard input (required)")
    .option("--role <role>", "admin or user", "user")
    .option("--display-name <name>", "name shown to people")
    .option("--email <email>", "email address")
    .action(async (username: string, o: { role: string; displayName?: string; email?: string }) =>
      withClient(async (client) => {
        const password = await readSecret(`Password for ${username}`);
        const created = await client.createLocalUser({ username, password, role: ROLES[o.role.toLowerCase()] ?? o.role, displayName: o.displayName, email: o.email });
        out().result(created, () => [`local account ${created.username} created (${created.role})`]);
      }),
    );

  for (const [name, enabled] of [["disable", false], ["enable", true]] as const) {
    user.command(`${name} <username>`)
      .description(enabled ? "enable an account again (old sessions stay ended)" : "disable an account: sessions, API keys and Slack stop at once")
      .action(async (username: string) =>
        withClient(async (client) => {
          const result = await client.setUserEnabled(username, enabled);
          out().result(result, () => [
            `${result.username} ${enabled ? "enabled" : "disabled"}`,
            ...(result.vms.length ? [`their VMs (still there, decide what to do with them):`, ...table(["NAME", "STATE", "ID"], result.vms.map((v) => [v.name, v.state, v.id]))] : []),
          ]);
        }),
      );
  }

  user.command("sign-out <username>").description("end every portal session of a user at once (their API keys keep working: revoke those with 'carve apikey revoke')")
    .action(async (username: string) =>
      withClient(async (client) => {
        const result = await client.endUserSessions(username);
        out().result(result, () => [`${result.username} signed out everywhere: ${result.ended} session${result.ended === 1 ? "" : "s"} ended`]);
      }),
    );
}
