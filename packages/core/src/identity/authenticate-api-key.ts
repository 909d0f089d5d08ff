import type { CoreDeps } from "../context.ts";
import { CarveError, isCarveError } from "../errors/index.ts";
import type { TOrigin, TUserActor, TVia } from "./actor.ts";
import { apiKeyMatches, apiKeyPrefix } from "./api-key-format.ts";
import { recordSignIn } from "./record-sign-in.ts";

export interface TApiKeyRequest {
  key: string;
  via?: TVia;
  /** The scope the request needs: Write for anything that changes state. */
  need?: "Read" | "Write";
  /** Where the request came from: recorded with a refused key, and carried by the actor into the audit trail. */
  origin?: TOrigin;
}

// lastUsedAt is written at most this often per key, so busy scripts do not write on every call.
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns an API key into the actor it acts as, checking everything on every call: the key's hash
 * (constant-time), revocation, expiry, the owner not being disabled, and the scope the request
 * needs. Records when the key was last used. Fails with API_KEY_INVALID, ACCOUNT_DISABLED or
 * FORBIDDEN; the key itself is never logged. A refused key leaves an `auth.apikey` audit row (an
 * accepted one does not: the call it makes is audited with its actor).
 */
export async function authenticateApiKey(deps: CoreDeps, request: TApiKeyRequest): Promise<TUserActor> {
  try {
    return await checkApiKey(deps, request);
  } catch (error) {
    if (isCarveError(error)) {
      await recordSignIn(deps.db, { via: request.via ?? "api", clientAddr: request.origin?.clientAddr, requestId: request.origin?.requestId, user: null, action: "auth.apikey", errorCode: error.code });
    }
    throw error;
  }
}

async function checkApiKey(deps: CoreDeps, request: TApiKeyRequest): Promise<TUserActor> {
  const prefix = apiKeyPrefix(request.key.trim());
  const row = prefix
    ? await deps.db.apiKey.findUnique({
        where: { prefix },
        select: { id: true, hash: true, scope: true, revokedAt: true, expiresAt: true, lastUsedAt: true, user: { select: { id: true, username: true, role: true, disabledAt: true } } },
      })
    : null;
  if (!row || !apiKeyMatches(request.key.trim(), row.hash)) {
    throw new CarveError("API_KEY_INVALID", "This API key is not valid: check that it was copied whole, or create a new one with 'carve apikey create'.");
  }
  const now = deps.now();
  if (row.revokedAt) throw new CarveError("API_KEY_INVALID", `This API key (${prefix}) was revoked on ${row.revokedAt.toISOString()}. Create a new one with 'carve apikey create'.`);
  if (row.expiresAt && row.expiresAt <= now) throw new CarveError("API_KEY_INVALID", `This API key (${prefix}) expired on ${row.expiresAt.toISOString()}. Create a new one with 'carve apikey create'.`);
  if (row.user.disabledAt) throw new CarveError("ACCOUNT_DISABLED", `The account ${row.user.username} that owns this API key is disabled, so the key no longer works. Ask a Carve admin.`);
  if (request.need === "Write" && row.scope === "Read") {
    throw new CarveError("FORBIDDEN", `This API key (${prefix}) is read-only. Use a key with the write scope ('carve apikey create --scope write').`);
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await deps.db.apiKey.updateMany({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { kind: "user", userId: row.user.id, username: row.user.username, role: row.user.role, via: request.via ?? "api", scope: row.scope, ...(request.origin ? { origin: request.origin } : {}) };
}
