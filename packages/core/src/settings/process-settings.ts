import { z } from "zod";
import { ZLogLevel } from "./log-level-settings.ts";

/**
 * The settings every Carve process that talks to PostgreSQL and Redis reads in its env.ts, parsed
 * the same way everywhere: the controller, the CLI and the Slack bot.
 */
export const ZDatabaseUrlSetting = z.string().startsWith("postgres", "must be a postgresql:// URL");

export const ZRedisUrlSetting = z.string().startsWith("redis", "must be a redis:// URL").default("redis://127.0.0.1:6379");

export const ZQueuePrefixSetting = z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, '_', '.' or '-'").default("bull");

export const ZLogLevelSetting = ZLogLevel.default("info");
