import { SAFE_LOG_OPTIONS } from "@carve/protocol";
import { pino, type Logger } from "pino";

/**
 * The logger of a Carve process (controller, portal, Slack bot, core's default): JSON lines tagged
 * with `proc`, built with protocol's SAFE_LOG_OPTIONS so that no credential, token, password or
 * URL password reaches a log line, whatever is logged (an ioredis error's AUTH arguments included).
 */
export function createProcessLogger(proc: string, level: string): Logger {
  return pino({ ...SAFE_LOG_OPTIONS, level, base: { proc } });
}
