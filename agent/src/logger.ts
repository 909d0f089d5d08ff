import { SAFE_LOG_OPTIONS } from "@carve/protocol";
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** The agent's JSON logger (one object per line on stdout, as log shippers and test harnesses expect), never showing a credential (SAFE_LOG_OPTIONS). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ ...SAFE_LOG_OPTIONS, level, base: { service: "carve-agent", ...bindings } });
}
