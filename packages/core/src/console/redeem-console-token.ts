import { domainName } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import type { TActor } from "../identity/actor.ts";
import { sessionTokenHash } from "../identity/session-token.ts";
import { parseInput } from "../validation/parse-input.ts";
import { assertConsoleReachable, loadConsoleVm } from "./console-access.ts";

export const ZRedeemConsoleTokenInput = z.strictObject({
  token: z.string().max(200),
  client: z.strictObject({
    /** The browser's network address as the console proxy sees it. */
    address: z.string().min(1).max(100),
    /** The user signed in to the portal in that browser (the proxy reads their session cookie). */
    userId: z.uuid(),
  }),
});

/** What the console proxy needs to connect one browser to one VM's display, and nothing more. */
export interface TRedeemedConsole {
  /** Poll checkConsoleSession with it: the stream must close once the session has ended. */
  sessionId: string;
  vmId: string;
  vmName: string;
  hostId: string;
  /** The libvirt domain on that host (the agent finds the display's socket from it). */
  domainName: string;
  kind: "vnc" | "serial";
  /** The user the link was made for (the opener is that user, or an admin). */
  userId: string;
}

const EXPIRED = "This console link has expired (links work for 60 seconds). Open the console again from the VM's page, 'carve vm console', or Slack.";

/**
 * Redeems a console link, once (the console proxy, when a browser connects): refused when the token
 * is unknown (forged or mistyped), used, expired or ended, when it comes from another address than
 * the one it was made for, when the signed-in opener is neither the link's user nor an admin, or
 * when the VM no longer runs on an Up host (or moved since). The claim is one conditional update,
 * so two racing redemptions cannot both win. Records a `console.connected` event.
 * @throws CarveError CONSOLE_TOKEN_INVALID, CONSOLE_TOKEN_USED, CONSOLE_TOKEN_EXPIRED, CONSOLE_SESSION_ENDED,
 *   CONSOLE_TOKEN_OTHER_CLIENT, CONSOLE_TOKEN_OTHER_USER, INVALID_STATE, CONSOLE_UNAVAILABLE
 */
export async function redeemConsoleToken(deps: CoreDeps, input: unknown): Promise<TRedeemedConsole> {
  const data = parseInput(ZRedeemConsoleTokenInput, input);
  const hash = sessionTokenHash(data.token);
  const now = deps.now();
  return deps.db.$transaction(async (tx) => {
    const session = hash ? await tx.consoleSession.findUnique({ where: { tokenHash: hash } }) : null;
    if (!session) throw new CarveError("CONSOLE_TOKEN_INVALID", "This console link is not valid (it may be mistyped or cut short). Open the console again from the VM's page, 'carve vm console', or Slack.");
    if (session.usedAt) throw new CarveError("CONSOLE_TOKEN_USED", "This console link was already used: each link opens one console. Open the console again for a new link (or use the page's Reconnect).");
    if (session.endedAt) throw new CarveError("CONSOLE_SESSION_ENDED", `This console link no longer works: ${session.endedReason ?? "its session ended"}. Open the console again once the VM is Running.`);
    if (session.expiresAt <= now) throw new CarveError("CONSOLE_TOKEN_EXPIRED", EXPIRED);
    if (session.clientAddress !== null && session.clientAddress !== data.client.address) {
      throw new CarveError(
        "CONSOLE_TOKEN_OTHER_CLIENT",
        `This console link was made for another computer (${session.clientAddress}) and opened from ${data.client.address}. Open the console again from the computer you are using.`,
      );
    }
    const opener = await tx.user.findUnique({ where: { id: data.client.userId }, select: { id: true, username: true, role: true, disabledAt: true } });
    const isAdmin = opener?.role === "Admin";
    if (!opener || opener.disabledAt || (opener.id !== session.userId && !isAdmin)) {
      throw new CarveError("CONSOLE_TOKEN_OTHER_USER", "This console link was made for another user: sign in as that user, or open the console of your own VM.");
    }
    const vm = await loadConsoleVm(tx, session.vmId);
    if (vm.ownerId !== opener.id && !isAdmin) {
      throw new CarveError("CONSOLE_TOKEN_OTHER_USER", `You no longer have access to VM ${vm.name}, so its console link does not work for you.`);
    }
    const host = assertConsoleReachable(vm);
    if (host.id !== session.hostId) {
      throw new CarveError("CONSOLE_SESSION_ENDED", `VM ${vm.name} moved to host ${host.name} since this link was made. Open the console again.`);
    }
    const claimed = await tx.consoleSession.updateMany({ where: { id: session.id, usedAt: null, endedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (claimed.count !== 1) throw new CarveError("CONSOLE_TOKEN_USED", "This console link was already used: each link opens one console. Open the console again for a new link.");
    const kind = session.kind === "Vnc" ? "vnc" : "serial";
    const actor: TActor = { kind: "user", userId: opener.id, username: opener.username, role: opener.role, via: "portal", origin: { clientAddr: data.client.address } };
    await recordEvent(tx, {
      type: "console.connected",
      actor,
      vmId: vm.id,
      hostId: host.id,
      message: `${opener.username} connected to the ${kind === "vnc" ? "graphical" : "serial"} console of ${vm.name} on ${host.name} from ${data.client.address}`,
      data: { sessionId: session.id, kind, client: data.client.address },
    });
    return { sessionId: session.id, vmId: vm.id, vmName: vm.name, hostId: host.id, domainName: domainName(vm.id), kind, userId: session.userId };
  });
}
