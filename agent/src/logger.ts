import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** The agent's JSON logger (one object per line on stdout, as log shippers and test harnesses expect). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: "carve-agent", ...bindings } });
}
