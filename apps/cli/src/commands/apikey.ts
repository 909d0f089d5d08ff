import type { Command } from "commander";
import { iso, table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

const SCOPES: Record<string, "Read" | "Write"> = { read: "Read", write: "Write" };

/** `carve apikey …`: create (shown once), list, revoke. */
export function registerApiKeyCommands(program: Command, out: () => TOutput): void {
  const apikey = program.command("apikey").description("API keys for scripts and the REST API");

  apikey.command("create <name>").description("create an API key; it is printed once and never again")
    .option("--scope <scope>", "read or write", "read")
    .option("--user <username>", "create it for another user (admins)")
    .option("--expires-days <days>", "expire after this many days")
    .action(async (name: string, o: { scope: string; user?: string; expiresDays?: string }) =>
      withClient(async (client) => {
        const expiresInDays = o.expiresDays === undefined ? undefined : /^\d+$/.test(o.expiresDays) ? Number(o.expiresDays) : Number.NaN;
        const created = await client.createApiKey({ name, scope: SCOPES[o.scope.toLowerCase()] ?? o.scope, user: o.user, expiresInDays });
        out().result(created, () => [
          `API key ${created.name} for ${created.user.username} (${created.scope}, prefix ${created.prefix}); copy it now, it is not shown again:`,
          `  ${created.key}`,
        ]);
      }),
    );

  apikey.command("list").description("API keys, without their secrets")
    .option("--user <username>", "another user's keys (admins)")
    .action(async (o: { user?: string }) =>
      withClient(async (client) => {
        const keys = await client.listApiKeys(o.user);
        out().result(keys, () =>
          table(
            ["PREFIX", "NAME", "SCOPE", "STATE", "LAST USED", "CREATED"],
            keys.map((k) => [k.prefix, k.name, k.scope, k.revokedAt ? "revoked" : k.expiresAt && new Date(k.expiresAt) < new Date() ? "expired" : "active", iso(k.lastUsedAt), iso(k.createdAt)]),
          ),
        );
      }),
    );

  apikey.command("revoke <key>").description("revoke a key by prefix or id; it stops working at once").action(async (ref: string) =>
    withClient(async (client) => {
      const revoked = await client.revokeApiKey(ref);
      out().result(revoked, () => [`API key ${revoked.prefix} (${revoked.name}) revoked`]);
    }),
  );
}
