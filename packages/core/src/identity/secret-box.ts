import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** A sealed secret as stored in a Setting's JSON value (AES-256-GCM; nothing in it is secret). */
export interface TSealed {
  v: 1;
  iv: string;
  tag: string;
  ct: string;
}

/**
 * Parses CARVE_SECRET_KEY: 32 bytes as 64 hex digits or as base64. Each process's env.ts calls
 * this and passes the key down; core never reads the environment. Throws a message naming the
 * variable and how to make a key.
 */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new Error("CARVE_SECRET_KEY must be 32 bytes as 64 hex digits or base64; make one with: openssl rand -hex 32");
  }
  return key;
}

/**
 * Encrypts `plaintext` with AES-256-GCM under `key`. `label` (the setting's name) is bound in as
 * associated data, so a sealed value copied to another setting does not decrypt.
 */
export function sealSecret(key: Buffer, label: string, plaintext: string): TSealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(label, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { v: 1, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), ct: ct.toString("base64") };
}

/** Decrypts a sealed value; throws (without any detail of the secret) if the key or label differ. */
export function openSecret(key: Buffer, label: string, sealed: unknown): string {
  if (!isSealed(sealed)) throw new Error("not a sealed value");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
  decipher.setAAD(Buffer.from(label, "utf8"));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, "base64")), decipher.final()]).toString("utf8");
}

function isSealed(value: unknown): value is TSealed {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return v["v"] === 1 && typeof v["iv"] === "string" && typeof v["tag"] === "string" && typeof v["ct"] === "string";
}
