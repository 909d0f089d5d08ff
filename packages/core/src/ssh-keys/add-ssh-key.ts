import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { requireUser, requireWriteScope, type TActor } from "../identity/actor.ts";
import { ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { SSH_KEY_VIEW, type TSshKeyView } from "./ssh-key-view.ts";
import { parseSshPublicKey, SshKeyError } from "./ssh-public-key.ts";

export const ZAddSshKeyInput = z.strictObject({
  name: ZObjectName,
  /** One OpenSSH public key line, as in ~/.ssh/id_ed25519.pub. */
  publicKey: z.string({ error: "is required: paste your public key (e.g. ~/.ssh/id_ed25519.pub)" }).max(20_000, "is too long for an SSH public key"),
});

/**
 * Stores an SSH public key for the acting user, to be injected into new VMs (`createVm` with
 * `sshKeys`). The key is validated (type, base64, the blob inside, RSA ≥ 2048 bits) and kept as
 * one normalised line with its SHA256 fingerprint. A name or a key the user already has is refused.
 */
export async function addSshKey(deps: CoreDeps, actor: TActor, input: unknown): Promise<TSshKeyView> {
  const me = requireUser(actor);
  requireWriteScope(actor, "add SSH keys");
  const data = parseInput(ZAddSshKeyInput, input);
  let key;
  try {
    key = parseSshPublicKey(data.publicKey);
  } catch (error) {
    if (!(error instanceof SshKeyError)) throw error;
    throw new CarveError("INVALID_INPUT", `Invalid input. publicKey: ${error.message}`, { fields: [{ field: "publicKey", message: error.message }] });
  }
  const clash = await deps.db.sshKey.findFirst({
    where: { userId: me.userId, OR: [{ name: data.name }, { fingerprint: key.fingerprint }] },
    select: { name: true, fingerprint: true },
  });
  if (clash) throw duplicate(clash, data.name);
  try {
    return await deps.db.sshKey.create({
      data: { userId: me.userId, name: data.name, publicKey: key.line, fingerprint: key.fingerprint },
      select: SSH_KEY_VIEW,
    });
  } catch (error) {
    // Two adds racing: the unique indexes let one through; answer the other like the check above.
    const raced = await deps.db.sshKey.findFirst({ where: { userId: me.userId, OR: [{ name: data.name }, { fingerprint: key.fingerprint }] }, select: { name: true, fingerprint: true } });
    if (raced) throw duplicate(raced, data.name);
    throw error;
  }
}

function duplicate(existing: { name: string; fingerprint: string }, name: string): CarveError {
  return existing.name === name
    ? new CarveError("ALREADY_EXISTS", `You already have an SSH key named '${name}'. Choose another name, or remove that key first ('sshkey remove ${name}').`, {
        fields: [{ field: "name", message: "is already used by one of your keys: choose another" }],
      })
    : new CarveError("ALREADY_EXISTS", `This key (${existing.fingerprint}) is already stored as '${existing.name}'.`, {
        fields: [{ field: "publicKey", message: `is already stored as '${existing.name}'` }],
      });
}
