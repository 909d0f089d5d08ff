/**
 * What keeps credentials out of every Carve process's log, in one place: each process builds its
 * pino logger with {@link SAFE_LOG_OPTIONS} (the agent, which imports only protocol, too; hence it
 * lives here and has no pino import: the object is plain pino options).
 *
 * Three layers, because a secret reaches a log line by three roads:
 * - errors: ioredis puts the failed command on its errors (`err.command.args` is `[user, password]`
 *   for an AUTH refused with WRONGPASS after a Redis restart), so errors are serialized by
 *   {@link safeError}: type, message, stack, code and plain own fields, never `command`, and every
 *   string scrubbed;
 * - fields named like secrets anywhere in a log object (`password`, `credential`, `token`…) are
 *   censored by pino's `redact`;
 * - strings: URLs with a password (`redis://user:pass@host`) and Carve's own secret formats
 *   (`carve-join-…`, `carve-host-…` credentials, API keys) are masked in messages (the `logMethod`
 *   hook), in the string fields of log objects (the `log` formatter) and in error texts.
 */

export const REDACTED = "[redacted]";

/** Fields whose value is a secret wherever they appear (top level and one or two levels down). */
const SECRET_FIELDS = ["password", "credential", "token", "secret", "authorization", "cookie", "apiKey", "joinToken", "CARVE_REDIS_PASSWORD", "CARVE_SECRET_KEY", "NEXTAUTH_SECRET"];

// user:password@ in any scheme://… URL; Carve's secrets by their prefixes.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;
// (43 base64url characters after the prefix; a host's user name, carve-host-<uuid>, stays readable.)
const CARVE_SECRET = /\b(carve-(?:join|host|setup)-|carve_[A-Za-z0-9]{12}_)[A-Za-z0-9_-]{40,}/g;

/** `text` with URL passwords and Carve's secret formats masked. */
export function scrubSecrets(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(CARVE_SECRET, `$1${REDACTED}`);
}

/** Fields of an error that may carry a secret and never say anything a reader of the log needs. */
const DROPPED_ERROR_FIELDS = new Set(["command", "args", "options", "config", "request", "response", "previousErrors"]);

/** An error as a log may show it: what failed and where, no command arguments, every string scrubbed. */
export function safeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? scrubSecrets(error) : error;
  const out: Record<string, unknown> = { type: error.constructor?.name ?? error.name, message: scrubSecrets(error.message) };
  if (error.stack) out["stack"] = scrubSecrets(error.stack);
  for (const [key, value] of Object.entries(error)) {
    if (DROPPED_ERROR_FIELDS.has(key) || SECRET_FIELDS.includes(key)) continue;
    if (typeof value === "string") out[key] = scrubSecrets(value);
    else if (typeof value === "number" || typeof value === "boolean") out[key] = value;
  }
  if (error.cause !== undefined && depth < 3) out["cause"] = safeError(error.cause, depth + 1);
  return out;
}

/** A log object's string values scrubbed, a few levels deep (errors are left to safeError). */
function scrubFields(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (depth > 3 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => scrubFields(item, depth + 1));
  // Only plain objects: a Date, a Buffer or an Error keeps its own serialization.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubFields(item, depth + 1)]));
}

/** The options every Carve logger is built with (spread them into `pino({ ...SAFE_LOG_OPTIONS, level, base })`). */
export const SAFE_LOG_OPTIONS = {
  redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: REDACTED },
  serializers: { err: safeError, error: safeError },
  formatters: { log: (object: Record<string, unknown>) => scrubFields(object) as Record<string, unknown> },
  hooks: {
    logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void): void {
      method.apply(this, args.map((arg) => (typeof arg === "string" ? scrubSecrets(arg) : arg)));
    },
  },
};
