import { CarveError, parseInput } from "@carve/core";
import type { Command } from "commander";
import { z } from "zod";
import type { TWhoAmIView } from "../client/carve-client.ts";
import { loadEnv } from "../env.ts";
import { table, type TOutput } from "../output.ts";
import { credentialsPath, removeCredentials, writeCredentials } from "../remote/credentials.ts";
import { callApi } from "../remote/remote-client.ts";
import { withClient } from "../session.ts";
import { readSecret } from "./read-secret.ts";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * The server's URL: http(s) with nothing but a host and port (the API is at /api/v1 on it). Plain
 * http only to this machine itself, so the API key never crosses a network in clear text.
 */
const ZServerUrl = z
  .url({ protocol: /^https?$/, error: "must be the Carve server's URL, e.g. https://carve.example.com" })
  .transform((text) => new URL(text))
  .refine((url) => url.protocol === "https:" || LOOPBACK.test(url.hostname), "must be https:// (plain http only to this machine): the API key must not cross the network in clear text")
  .refine((url) => !url.username && !url.password && !url.search && !url.hash, "must not carry a user, password, query or fragment")
  .refine((url) => url.pathname === "/", "must be the server's address only, e.g. https://carve.example.com (no path)")
  .transform((url) => url.origin);

const whoLine = (me: TWhoAmIView) => `${me.username} (${me.role}${me.scope ? `, API key scope ${me.scope}` : ""})`;

/** `carve login URL`, `carve logout`, `carve whoami`: the CLI's remote mode through /api/v1. */
export function registerRemoteLoginCommands(program: Command, out: () => TOutput): void {
  program.command("login <url>")
    .description("use a Carve server's REST API from this machine: reads an API key (from the portal's Account page) on stdin or a prompt, checks it, and stores it (0600)")
    .action(async (text: string) => {
      const url = parseInput(z.object({ url: ZServerUrl }), { url: text }).url;
      const key = (await readSecret("API key", { confirm: false })).trim();
      if (!key) throw new CarveError("INVALID_INPUT", "No API key was given. Create one on the portal's Account page and paste it, or pipe it in: carve login URL < keyfile.");
      const credentials = { url, key };
      // Checked before it is stored: a mistyped key or URL fails here, not at the next command.
      const me = await callApi<TWhoAmIView>(credentials, "GET", "/api/v1/me");
      const path = credentialsPath(loadEnv());
      writeCredentials(path, credentials);
      out().result({ url, ...me, credentials: path }, () => [`logged in to ${url} as ${whoLine(me)}; the key is in ${path}`]);
    });

  program.command("logout").description("forget the stored server and API key: commands act on this machine's database again").action(async () => {
    const path = credentialsPath(loadEnv());
    const removed = removeCredentials(path);
    out().result({ removed, credentials: path }, () => [removed ? `logged out: ${path} removed (the API key itself stays valid until you revoke it in the portal)` : "not logged in"]);
  });

  program.command("whoami").description("who commands act as: the server and API key's user, or the local operator with your OS user").action(async () =>
    withClient(async (client) => {
      const me = await client.whoami();
      out().result({ server: client.where, ...me }, () =>
        table(["SERVER", "USER", "ROLE", "SCOPE", "OS USER"], [[client.where, me.username, me.role, me.scope, me.osUser ? `${me.osUser}@${me.osHost ?? "?"}` : null]]),
      );
    }),
  );
}
