import { randomInt } from "node:crypto";
import { SEAL_PURPOSE_JOB_SECRET, sealFor, type TSealed } from "@carve/protocol";
import { CarveError } from "../errors/index.ts";

const LOWER = "abcdefghijkmnopqrstuvwxyz";
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS = "23456789";
const ALPHABET = LOWER + UPPER + DIGITS;
const LENGTH = 24;

/**
 * A strong generated guest password: 24 characters from 57 unambiguous letters and digits (about
 * 140 bits), with at least one lower-case letter, one capital and one digit so that guest password
 * policies accept it. Letters and digits only: it passes through virsh and cloud-init untouched.
 */
export function generateGuestPassword(): string {
  for (;;) {
    const password = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
    if ([LOWER, UPPER, DIGITS].every((set) => [...password].some((c) => set.includes(c)))) return password;
  }
}

/**
 * Seals a secret to the VM's host agent, for a job payload: only that agent's private key opens
 * it, so neither Redis nor the Job row ever holds it in plain text.
 */
export function sealForHost(host: { name: string; sealKey: string | null }, secret: string, purpose: string = SEAL_PURPOSE_JOB_SECRET): TSealed {
  if (!host.sealKey) {
    throw new CarveError(
      "HOST_KEY_UNKNOWN",
      `Host ${host.name} has not published its agent's key yet, so no password can be sent to it safely. Its agent publishes the key with every heartbeat: check that it runs this Carve version ('carve-agent doctor' on the host), then try again.`,
    );
  }
  return sealFor(host.sealKey, secret, purpose);
}
