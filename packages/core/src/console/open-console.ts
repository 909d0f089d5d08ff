import { isIP } from "node:net";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireUser, requireWriteScope, type TActor } from "../identity/actor.ts";
import { newSessionToken } from "../identity/session-token.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";
import { assertConsoleReachable, CONSOLE_KINDS, CONSOLE_TOKEN_TTL_MS, loadConsoleVm } from "./console-access.ts";

export const ZOpenConsoleInput = z.strictObject({
  vm: z.string({ error: "is required: a VM name or id" }).min(1, "is required: a VM name or id").max(100),
  /** The graphical display (default) or the first serial port. */
  kind: z.enum(["vnc", "serial"], { error: "must be vnc (the screen) or serial (the text console)" }).default("vnc"),
  /**
   * The network address that will open the link. Default: the requester's own (the portal's and
   * the REST API's caller); none (Slack, the CLI on the server): any address may use it.
   */
  client: z.string().max(45).refine((address) => isIP(address) !== 0, "must be an IP address, e.g. 198.51.100.7").optional(),
});

/** A console link: its token is shown this once and works once, within 60 s. */
export interface TConsoleLink {
  vmId: string;
  vmName: string;
  kind: "vnc" | "serial";
  /**
   * The portal page that opens the console: `/vms/{vmId}/console?kind=vnc#token=TOKEN`. The token
   * rides in the fragment, which browsers never send to a server nor put in a Referer header.
   */
  path: string;
  token: string;
  expiresAt: Date;
}

/** The portal path of a console link (the page reads the token from the fragment). */
export function consolePath(vmId: string, kind: "vnc" | "serial", token: string): string {
  return `/vms/${vmId}/console?kind=${kind}#token=${token}`;
}

/**
 * Issues a console link for a VM (its owner, or an admin): a random token (256 bits) that the
 * console proxy redeems once, within 60 s, from the client it was made for. Only the token's
 * sha256 is stored. The VM must be Running on a host that is Up. Records a `console.opened` event.
 * @throws CarveError VM_NOT_FOUND, INVALID_STATE, CONSOLE_UNAVAILABLE, FORBIDDEN, INVALID_INPUT
 */
export async function openConsole(deps: CoreDeps, actor: TActor, input: unknown): Promise<TConsoleLink> {
  const user = requireUser(actor);
  requireWriteScope(actor, "open a VM's console (it types into the VM)");
  const data = parseInput(ZOpenConsoleInput, input);
  const client = data.client ?? actor.origin?.clientAddr ?? null;
  const { token, hash } = newSessionToken();
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + CONSOLE_TOKEN_TTL_MS);
  const vm = await deps.db.$transaction(async (tx) => {
    const { id } = await findVmForActor(tx, actor, data.vm);
    const found = await loadConsoleVm(tx, id);
    const host = assertConsoleReachable(found);
    await tx.consoleSession.create({
      data: { tokenHash: hash, vmId: found.id, userId: user.userId, hostId: host.id, kind: CONSOLE_KINDS[data.kind], clientAddress: client, expiresAt, createdAt: now },
    });
    await recordEvent(tx, {
      type: "console.opened",
      actor,
      vmId: found.id,
      hostId: host.id,
      message: `${user.username} asked for the ${data.kind === "vnc" ? "graphical" : "serial"} console of ${found.name} on ${host.name} (${client ? `for ${client}` : "for any address"})`,
      data: { kind: data.kind, client },
    });
    return found;
  });
  return { vmId: vm.id, vmName: vm.name, kind: data.kind, path: consolePath(vm.id, data.kind, token), token, expiresAt };
}
