import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like `carve_<prefix>_<secret>`: the prefix (12 lowercase letters and digits)
 * finds the row and is shown in lists; the secret (32 random bytes, base64url) is never stored.
 * The row keeps the sha256 of the whole key.
 */
const KEY_SHAPE = /^carve_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = Array.from(randomBytes(12), (b) => ALPHABET[b % ALPHABET.length]).join("");
  const key = `carve_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix, hash: sha256(key) };
}

/** The prefix of a well-formed key, or null for anything else. */
export function apiKeyPrefix(key: string): string | null {
  return KEY_SHAPE.exec(key)?.[1] ?? null;
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(key), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
