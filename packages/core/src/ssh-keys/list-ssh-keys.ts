import type { CoreDeps } from "../context.ts";
import { requireUser, type TActor } from "../identity/actor.ts";
import { SSH_KEY_VIEW, type TSshKeyView } from "./ssh-key-view.ts";

/** The acting user's SSH keys, by name. */
export async function listSshKeys(deps: CoreDeps, actor: TActor): Promise<TSshKeyView[]> {
  const me = requireUser(actor);
  return deps.db.sshKey.findMany({ where: { userId: me.userId }, orderBy: { name: "asc" }, select: SSH_KEY_VIEW });
}
