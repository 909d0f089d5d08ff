import type { Command } from "commander";
import type { TOutput } from "../output.ts";
import { withClient } from "../session.ts";

/** `carve auth …`: sign-in administration (the throttle's lockouts). */
export function registerAuthCommands(program: Command, out: () => TOutput): void {
  const auth = program.command("auth").description("sign-in administration");

  auth.command("unlock <userOrAddress>")
    .description("clear the sign-in lockout of a username (from every address) or of an IP address (for every username)")
    .action(async (target: string) =>
      withClient(async (client) => {
        const done = await client.unlockSignIn(target);
        const what = done.kind === "user" ? `username ${done.target}` : `address ${done.target}`;
        out().result(done, () => [done.cleared > 0 ? `sign-in lockout of ${what} cleared (${done.cleared} record(s)).` : `${what} had no failed sign-ins to clear.`]);
      }),
    );
}
