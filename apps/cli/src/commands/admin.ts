import { issueSetupToken, setupFirstAdmin } from "@carve/core";
import type { Command } from "commander";
import type { TOutput } from "../output.ts";
import { withClient, withSession } from "../session.ts";
import { readSecret } from "./read-secret.ts";

/**
 * `carve admin …`: first-run setup with the one-time token and a replacement token (on the
 * management server only: nobody can sign in yet), and local password resets (anywhere, as an
 * admin). Passwords come from stdin only, never from the command line.
 */
export function registerAdminCommands(program: Command, out: () => TOutput): void {
  const admin = program.command("admin").description("first-run setup and account recovery");

  admin.command("setup")
    .description("create the first administrator with the setup token Carve printed on first start")
    .requiredOption("--token <token>", "the one-time setup token")
    .requiredOption("--username <name>", "the administrator's username")
    .requiredOption("--password-stdin", "read the password from standard input (required: never on the command line)")
    .option("--display-name <name>", "name shown to people")
    .action(async (o: { token: string; username: string; displayName?: string }) =>
      withSession(async ({ core }) => {
        const password = await readSecret("Password for the new administrator");
        const user = await setupFirstAdmin(core, { token: o.token, username: o.username, password, displayName: o.displayName });
        out().result(user, () => [`administrator ${user.username} created (${user.id}); the setup token is spent. Sign in to the portal as ${user.username}.`]);
      }),
    );

  admin.command("setup-token")
    .description("print a new first-run setup token (only while no administrator can sign in)")
    .action(async () =>
      withSession(async ({ core, actor }) => {
        const { token, expiresAt } = await issueSetupToken(core, actor);
        out().result({ token, expiresAt }, () => [
          `setup token (shown once, valid until ${expiresAt.toISOString()}; earlier ones no longer work):`,
          `  ${token}`,
          `use it with: carve admin setup --token ${token} --username NAME --password-stdin`,
        ]);
      }),
    );

  admin.command("reset-password <user>")
    .description("set a new password for a local account, read from standard input; ends the user's sessions")
    .option("--password-stdin", "read the password from standard input (the default; accepted for symmetry)")
    .action(async (user: string) =>
      withClient(async (client) => {
        const password = await readSecret(`New password for ${user}`);
        const done = await client.resetPassword(user, password);
        out().result(done, () => [`password of ${done.username} reset; their sessions have ended.`]);
      }),
    );
}
