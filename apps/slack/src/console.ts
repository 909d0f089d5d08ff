import { CarveError, openConsole, type TUserActor } from "@carve/core";
import type { TCommandLine } from "./command-line.ts";
import type { TSlackCtx } from "./context.ts";

const KINDS: Record<string, "vnc" | "serial"> = { vnc: "vnc", serial: "serial" };

/**
 * `/vm console NAME [serial]`: a one-time link to the VM's console page (the screen, or the serial
 * console), for the caller only. Made without a client address, as the browser that opens it is not
 * the one that asked; it still works once, within 60 s, for its user (or an admin). No link is made
 * when the bot does not know the portal's address.
 */
export async function consoleLinkInSlack(ctx: TSlackCtx, actor: TUserActor, line: TCommandLine): Promise<string> {
  const [vm, kindWord = "vnc"] = line.args;
  if (vm === undefined) throw new CarveError("INVALID_INPUT", "`/vm console` needs the VM's name: `/vm console NAME` (its screen) or `/vm console NAME serial`.", { fields: [{ field: "vm", message: "is required" }] });
  const kind = KINDS[kindWord.toLowerCase()];
  if (kind === undefined) {
    throw new CarveError("INVALID_INPUT", `\`${kindWord.slice(0, 20)}\` is not a console: leave it out for the screen, or write \`/vm console ${vm.slice(0, 100)} serial\`.`, { fields: [{ field: "kind", message: "must be serial or left out" }] });
  }
  if (ctx.portalUrl === undefined) {
    throw new CarveError("CONSOLE_UNAVAILABLE", "Console links from Slack are off: the bot does not know the portal's address (CARVE_PORTAL_URL). Open the console from the VM's page in the portal, or ask a Carve admin to set it.");
  }
  const link = await openConsole(ctx.core, actor, { vm, kind });
  const url = new URL(link.path, ctx.portalUrl).href;
  const what = kind === "vnc" ? "screen" : "serial console";
  return `:desktop_computer: <${url}|Open the ${what} of *${link.vmName}*> — the link works once, within 60 seconds, and only for you (or an admin). Do not share it.`;
}
