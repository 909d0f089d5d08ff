import { createPrivateKey, type KeyObject } from "node:crypto";
import { chmod, link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { newJoinKeyPair, openSealed, publicKeyOf, SEAL_PURPOSE_JOB_SECRET, type TSealed } from "@carve/protocol";
import { JobRefusedError } from "./jobs/job-errors.ts";
import { temporaryPathFor } from "./temporary-path.ts";

/** The host's long-lived X25519 key pair: core seals job secrets to its public half. */
export interface THostKey {
  privateKey: KeyObject;
  /** DER, base64: what the join request and every heartbeat carry. */
  publicKey: string;
}

const KEY_FILE = "host-key.pem";

/**
 * Reads the host's key pair from `<dataDir>/host-key.pem`, creating it (mode 0600) on first use.
 * Two processes starting at once (join and run) agree on one key: the file is published with
 * link(2), which fails when it already exists, and the loser reads the winner's key.
 */
export async function loadHostKey(dataDir: string): Promise<THostKey> {
  const path = join(dataDir, KEY_FILE);
  const existing = await readKey(path);
  if (existing !== null) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o711 });
  const { privateKey } = newJoinKeyPair();
  const temporary = temporaryPathFor(path);
  await writeFile(temporary, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  await chmod(temporary, 0o600);
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  const stored = await readKey(path);
  if (stored === null) throw new Error(`the host key ${path} vanished right after it was written`);
  return stored;
}

async function readKey(path: string): Promise<THostKey | null> {
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`the host key ${path} is not a private key: move it away and restart the agent to make a new one`);
  }
  if (privateKey.asymmetricKeyType !== "x25519") {
    throw new Error(`the host key ${path} is a ${privateKey.asymmetricKeyType ?? "unknown"} key, not X25519: move it away and restart the agent to make a new one`);
  }
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

/**
 * Opens a secret core sealed to this host. A secret sealed to another key (the host's data
 * directory was wiped since) is refused for good: the controller learns the new key from the next
 * heartbeat, and the user's next request is sealed to it.
 */
export function openJobSecret(key: THostKey, sealed: TSealed, purpose: string = SEAL_PURPOSE_JOB_SECRET): string {
  try {
    return openSealed(key.privateKey, sealed, purpose);
  } catch {
    throw new JobRefusedError("the job's secret was sealed to another key than this host's (its key changed since): try again in a few seconds, once the controller has the new key");
  }
}
