import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~60 ms a hash on this class of machine.
const ARGON2_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum, not importable here) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Usernames Carve creates itself (local accounts): what every front door and shell can carry. */
export const ZLocalUsername = z
  .string({ error: "is required" })
  .min(2, "must be at least 2 characters")
  .max(64, "is longer than 64 characters")
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "must be lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. ops-admin)");

/** A new password: long enough to resist guessing; never trimmed or otherwise altered. */
export const ZNewPassword = z
  .string({ error: "is required" })
  .min(12, "must be at least 12 characters")
  .max(1024, "is longer than 1024 characters")
  // eslint-disable-next-line no-control-regex
  .refine((p) => !/[\u0000\r\n]/.test(p), "must not contain NUL or line breaks");

/** argon2id hash (PHC string with its own salt and parameters). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** True when `password` matches `passwordHash`; false for a malformed hash, never a throw. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the time of one real verification against a hash no password matches: the unknown-user
 * path then costs what the wrong-password path costs.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword(`carve-dummy-${Math.random()}`);
  await verifyPassword(await dummyHash, password);
  return false;
}
