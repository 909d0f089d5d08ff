import { createCore, createProcessLogger, withIdentity } from "@carve/core";
import { createSlackBot } from "./app.ts";
import { loadEnv } from "./env.ts";

const env = loadEnv();
const log = createProcessLogger("slack", env.LOG_LEVEL);
const core = createCore({ databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, queuePrefix: env.CARVE_QUEUE_PREFIX, log });
const bot = createSlackBot({
  core: withIdentity(core, { secretKey: env.CARVE_SECRET_KEY }),
  log,
  token: env.SLACK_BOT_TOKEN,
  signingSecret: env.SLACK_SIGNING_SECRET,
  appToken: env.SLACK_APP_TOKEN,
  slackApiUrl: env.SLACK_API_URL,
  notifyEveryMs: env.CARVE_SLACK_NOTIFY_MS,
  portalUrl: env.CARVE_PORTAL_URL,
});
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "slack bot stopping");
  await bot.stop();
  await core.close();
  process.exit(0);
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
const port = await bot.start(env.SLACK_PORT);
log.info({ mode: env.SLACK_APP_TOKEN ? "socket" : "http", port }, "slack bot ready");
