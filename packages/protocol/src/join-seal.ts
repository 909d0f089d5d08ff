import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from "node:crypto";
import type { TSealed } from "./join.ts";

/** What a sealed message is for, bound into its key: a sealed join grant never opens as a job secret, nor the reverse. */
export const SEAL_PURPOSE_JOIN = "carve host join v1";
export const SEAL_PURPOSE_JOB_SECRET = "carve job secret v1";

/** A new X25519 key pair: the host's long-lived key, and the one-off sender key of each sealed message. */
export function newJoinKeyPair(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  return { publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"), privateKey };
}

/** The public half of an X25519 private key, in the form sealFor takes (DER, base64). */
export function publicKeyOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: "spki", format: "der" }).toString("base64");
}

function keyFor(privateKey: KeyObject, peerPublicKey: string, purpose: string): Buffer {
  const peer = createPublicKey({ key: Buffer.from(peerPublicKey, "base64"), format: "der", type: "spki" });
  const shared = diffieHellman({ privateKey, publicKey: peer });
  return Buffer.from(hkdfSync("sha256", shared, Buffer.alloc(0), Buffer.from(purpose), 32));
}

/** Encrypts `plain` so that only the holder of the private half of `recipientPublicKey` can read it (ECIES: X25519, HKDF, AES-256-GCM). */
export function sealFor(recipientPublicKey: string, plain: string, purpose: string = SEAL_PURPOSE_JOIN): TSealed {
  const mine = newJoinKeyPair();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(mine.privateKey, recipientPublicKey, purpose), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return { publicKey: mine.publicKey, iv: iv.toString("base64"), data: data.toString("base64"), tag: cipher.getAuthTag().toString("base64") };
}

/** Decrypts a sealed answer with the private key whose public half was sent. @throws when it was tampered with or sealed to another key. */
export function openSealed(privateKey: KeyObject, sealed: TSealed, purpose: string = SEAL_PURPOSE_JOIN): string {
  const decipher = createDecipheriv("aes-256-gcm", keyFor(privateKey, sealed.publicKey, purpose), Buffer.from(sealed.iv, "base64"));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString("utf8");
}
