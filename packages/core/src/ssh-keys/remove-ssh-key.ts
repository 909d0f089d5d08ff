import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireUser, requireWriteScope, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { resolveSshKeys } from "./resolve-ssh-keys.ts";
import type { TSshKeyView } from "./ssh-key-view.ts";
import { way } from "../errors/front-door-ways.ts";

export const ZRemoveSshKeyInput = z.object({
  /** The key's name or id. */
  key: z.string({ error: `is required: the key's name (see ${way("sshKeys")})` }).min(1, `is required: the key's name (see ${way("sshKeys")})`).max(100),
});

/** Removes one of the acting user's SSH keys. VMs made with it keep it: it was copied into them. */
export async function removeSshKey(deps: CoreDeps, actor: TActor, input: unknown): Promise<TSshKeyView> {
  const me = requireUser(actor);
  requireWriteScope(actor, "remove SSH keys");
  const { key } = parseInput(ZRemoveSshKeyInput, input);
  const [found] = await resolveSshKeys(deps.db, me.userId, [key], "key");
  // resolveSshKeys throws unless it found exactly the one key asked for.
  await deps.db.sshKey.delete({ where: { id: found!.id } });
  return found!;
}
