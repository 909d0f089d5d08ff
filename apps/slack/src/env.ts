import { ZDatabaseUrlSetting, ZLogLevelSetting, ZQueuePrefixSetting, ZRedisUrlSetting, ZSecretKeySetting } from "@carve/core";
import { z } from "zod";

const ZEnv = z
  .object({
    /** Signs every request Slack sends over HTTP (Basic Information → App Credentials). */
    SLACK_SIGNING_SECRET: z.string().min(16, "must be the app's signing secret (Basic Information → App Credentials)").optional(),
    /** The bot token (xoxb-…) from OAuth & Permissions after installing the app. */
    SLACK_BOT_TOKEN: z.string({ error: "is required: the bot token (xoxb-…) from OAuth & Permissions" }).startsWith("xoxb-", "must be the bot token (xoxb-…) from OAuth & Permissions"),
    /** An app-level token (xapp-…, scope connections:write): Socket Mode instead of HTTP when set. */
    SLACK_APP_TOKEN: z.string().startsWith("xapp-", "must be an app-level token (xapp-…) with connections:write").optional(),
    /** The Web API's base URL; only tests point it elsewhere. */
    SLACK_API_URL: z.url("must be a URL ending in /api/").optional(),
    /** HTTP mode: where Slack's requests arrive (/slack/events and /slack/actions). */
    SLACK_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** How often the bot looks for VM changes and failed jobs to DM their owners about. */
    CARVE_SLACK_NOTIFY_MS: z.coerce.number().int().min(500).max(600_000).default(5_000),
    DATABASE_URL: ZDatabaseUrlSetting,
    REDIS_URL: ZRedisUrlSetting,
    CARVE_QUEUE_PREFIX: ZQueuePrefixSetting,
    LOG_LEVEL: ZLogLevelSetting,
    /** Key for generated VM passwords until their owner views them: 64 hex digits, the same in every Carve process. */
    CARVE_SECRET_KEY: ZSecretKeySetting,
    /** The portal's public address, for `/vm console` links (without it the bot makes none). */
    CARVE_PORTAL_URL: z.url({ error: "must be the portal's address, e.g. https://carve.example.com" }).optional(),
  })
  .refine((env) => env.SLACK_APP_TOKEN !== undefined || env.SLACK_SIGNING_SECRET !== undefined, {
    path: ["SLACK_SIGNING_SECRET"],
    message: "is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)",
  });

export type TEnv = z.infer<typeof ZEnv>;

/** The Slack bot's configuration; a bad value stops start-up naming the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ");
    throw new Error(`carve-slack cannot start; fix these settings:\n  ${problems}`);
  }
  return parsed.data;
}
