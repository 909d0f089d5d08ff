import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { parseInput } from "../validation/parse-input.ts";
import { requireWriteScope, type TActor } from "./actor.ts";
import { newApiKey } from "./api-key-format.ts";
import { API_KEY_VIEW, keyOwner } from "./api-key-view.ts";
import { hasControlChar } from "../validation/control-chars.ts";

/** Strict: an unknown field (from the REST API) is refused, never ignored. */
export const ZCreateApiKeyInput = z.strictObject({
  name: z
    .string({ error: "is required: say what the key is for, e.g. ci" })
    .min(1, "is required: say what the key is for, e.g. ci")
    .max(100, "is longer than 100 characters")
    .refine((s) => !hasControlChar(s, "line"), "must not contain control characters"),
  scope: z.enum(["Read", "Write"], { error: "must be Read or Write" }).default("Read"),
  expiresInDays: z.number().int().min(1, "must be at least 1").max(3650, "must be at most 3650").optional(),
  /** Admins may create a key for someone else (username or id). */
  user: z.string().max(256).optional(),
});

/**
 * Creates an API key for the acting user (admins: for any user). The key itself is in the result
 * this once and never again: only its sha256 is stored. A read-only key cannot make keys.
 */
export async function createApiKey(deps: CoreDeps, actor: TActor, input: unknown) {
  requireWriteScope(actor, "create API keys");
  const data = parseInput(ZCreateApiKeyInput, input);
  const owner = await keyOwner(deps, actor, data.user);
  const { key, prefix, hash } = newApiKey();
  const expiresAt = data.expiresInDays ? new Date(deps.now().getTime() + data.expiresInDays * 86_400_000) : null;
  const row = await deps.db.apiKey.create({ data: { userId: owner.id, name: data.name, prefix, hash, scope: data.scope, expiresAt }, select: API_KEY_VIEW });
  deps.log.info({ keyId: row.id, prefix, owner: row.user.username }, "API key created");
  return { ...row, key };
}
