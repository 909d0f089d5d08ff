import { z } from "zod";
import { ZSealed } from "./join.ts";

/**
 * The console's byte path between core (the console proxy's process) and the agent on the VM's
 * host (issue 18): core puts a `console.attach` job on the host's queue with a one-time 256-bit
 * key sealed to the host (this purpose), then connects to the agent's console listener with
 * TLS-PSK: identity = the session id, pre-shared key = that key. Only core and that agent know it,
 * so the handshake authenticates both ends, and ECDHE gives each stream forward secrecy.
 */
export const SEAL_PURPOSE_CONSOLE_KEY = "carve console key v1";

/** The one-time key's length: 256 bits. */
export const CONSOLE_KEY_BYTES = 32;

/**
 * TLS 1.2 and an ECDHE-PSK cipher, on both ends. Node's PSK works with TLS 1.3 too (tried: Node 20,
 * OpenSSL 3), but there the key exchange mode (psk_dhe_ke or plain psk_ke) is OpenSSL's default and
 * not something Node lets us require; in TLS 1.2 the cipher suite itself names the ephemeral ECDH.
 */
export const CONSOLE_TLS = {
  minVersion: "TLSv1.2",
  maxVersion: "TLSv1.2",
  ciphers: "ECDHE-PSK-CHACHA20-POLY1305:ECDHE-PSK-AES256-CBC-SHA384",
} as const;

/** How long the agent keeps a registered session waiting for its one connection. */
export const CONSOLE_SESSION_TTL_MS = 30_000;

/** How much of the serial log the agent sends first (kind serial) or alone (kind log). */
export const CONSOLE_LOG_TAIL_BYTES = 16 * 1024;

/**
 * vnc: the VM's graphical display (QEMU's VNC UNIX socket); serial: the serial log's tail, then the
 * first serial port live; log: only that tail, then the stream ends (the VM page's serial log).
 */
export const ZConsoleKind = z.enum(["vnc", "serial", "log"]);
export type TConsoleStreamKind = z.infer<typeof ZConsoleKind>;

/**
 * Registers one console session on the agent's listener. Transient: no Job row (nobody watches its
 * progress), one attempt, removed from the queue once done. The agent finds the display from the
 * domain's live XML: the payload names a domain, never a path.
 */
export const ZConsoleAttachPayload = z.object({
  /** The TLS-PSK identity the one connection must present (a ConsoleSession id, or a fresh one). */
  sessionId: z.uuid(),
  domain: z.string().regex(/^carve-[0-9a-f-]{36}$/, "must be a Carve domain name (carve-<vm id>)"),
  kind: ZConsoleKind,
  /** The one-time PSK (CONSOLE_KEY_BYTES, base64), sealed to this host's key (SEAL_PURPOSE_CONSOLE_KEY). */
  key: ZSealed,
  /** After this instant the session is not registered (a job that waited in the queue too long). */
  expiresAt: z.iso.datetime(),
});
export const ZConsoleAttachResult = z.object({ sessionId: z.uuid(), registered: z.boolean() });
