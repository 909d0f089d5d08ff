import { z } from "zod";

/**
 * The settings every Carve process that talks to PostgreSQL and Redis reads in its env.ts, parsed
 * the same way everywhere (the Slack bot uses these; the controller and CLI can move to them).
 */
export const ZDatabaseUrlSetting = z.string().startsWith("postgres", "must be a postgresql:// URL");

export const ZRedisUrlSetting = z.string().startsWith("redis", "must be a redis:// URL").default("redis://127.0.0.1:6379");

export const ZQueuePrefixSetting = z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, '_', '.' or '-'").default("bull");

export const ZLogLevelSetting = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "must be one of fatal, error, warn, info, debug, trace, silent").default("info");
