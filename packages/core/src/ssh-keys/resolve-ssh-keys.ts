import type { Db, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { SSH_KEY_VIEW, type TSshKeyView } from "./ssh-key-view.ts";
import { way } from "../errors/front-door-ways.ts";

/**
 * The user's keys named (by name or id) in `refs`, in that order without repeats. Only the user's
 * own keys are found; any other ref is refused, naming it.
 */
export async function resolveSshKeys(db: Db | Tx, userId: string, refs: readonly string[], field = "sshKeys"): Promise<TSshKeyView[]> {
  if (refs.length === 0) return [];
  const keys = await db.sshKey.findMany({
    where: { userId, OR: [{ name: { in: [...refs] } }, { id: { in: refs.filter(isUuid) } }] },
    select: SSH_KEY_VIEW,
  });
  const found: TSshKeyView[] = [];
  const missing: string[] = [];
  for (const ref of refs) {
    const key = keys.find((k) => k.id === ref || k.name === ref);
    if (!key) missing.push(ref);
    else if (!found.includes(key)) found.push(key);
  }
  if (missing.length > 0) {
    const list = missing.map((m) => `'${m}'`).join(", ");
    throw new CarveError("SSH_KEY_NOT_FOUND", `You have no SSH key ${list}. See yours with ${way("sshKeys")}, or add one with 'sshkey add NAME --file ~/.ssh/id_ed25519.pub'.`, {
      fields: [{ field, message: `${list}: no such key of yours` }],
    });
  }
  return found;
}
