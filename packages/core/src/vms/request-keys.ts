import { createHash } from "node:crypto";
import type { Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";

/** A request key to record with what its request creates (in the create's own transaction). */
export interface TRequestKeyRecord {
  key: string;
  actorId: string;
  /** requestHash of the request: the same key with another request is refused. */
  requestHash: string;
}

/** A request's fingerprint: SHA-256 of its JSON with object keys sorted, so key order and spacing do not count. */
export function requestHash(input: unknown): string {
  return createHash("sha256").update(JSON.stringify(sortedKeys(input)) ?? "undefined").digest("hex");
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}

/**
 * Records the key with the VM and job its request created, in the create's transaction: a key is
 * there exactly when its create committed. When the key is there already (a concurrent request
 * with it committed first: PostgreSQL made this insert wait for that transaction), throws
 * DUPLICATE_REQUEST so the caller rolls this create back and answers with the first one's.
 */
export async function recordRequestKey(tx: Tx, record: TRequestKeyRecord, created: { vmId: string; jobId: string }): Promise<void> {
  const { count } = await tx.requestKey.createMany({ data: [{ ...record, ...created }], skipDuplicates: true });
  if (count === 0) throw new CarveError("DUPLICATE_REQUEST", "This request is already being answered: the same request key arrived twice at once. Repeat it to get the first one's answer.");
}

/** The refusal of a key used again for another request. */
export function requestKeyReused(): CarveError {
  return new CarveError(
    "REQUEST_KEY_REUSED",
    "This request key (the API's Idempotency-Key header) was used in the last 24 hours for a different request. Send a new key for a new request, or repeat the first request exactly to get its answer.",
  );
}
