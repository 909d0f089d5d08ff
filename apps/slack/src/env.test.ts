import { describe, expect, it } from "vitest";
import { loadEnv } from "./env.ts";

const BASE = { DATABASE_URL: "postgresql://x/y", SLACK_BOT_TOKEN: "xoxb-1-2-3" };

describe("Slack bot settings", () => {
  it("run in HTTP mode with the signing secret, filling in the defaults", () => {
    expect(loadEnv({ ...BASE, SLACK_SIGNING_SECRET: "0123456789abcdef0123" })).toEqual({
      ...BASE,
      SLACK_SIGNING_SECRET: "0123456789abcdef0123",
      SLACK_PORT: 3000,
      CARVE_SLACK_NOTIFY_MS: 5000,
      REDIS_URL: "redis://127.0.0.1:6379",
      CARVE_QUEUE_PREFIX: "bull",
      LOG_LEVEL: "info",
      CARVE_SECRET_KEY: null,
    });
  });

  it("run in Socket Mode with an app token and no signing secret", () => {
    expect(loadEnv({ ...BASE, SLACK_APP_TOKEN: "xapp-1-A1-2" }).SLACK_APP_TOKEN).toBe("xapp-1-A1-2");
  });

  it("refuse to start naming the variable and what it expects", () => {
    expect(() => loadEnv(BASE)).toThrow("SLACK_SIGNING_SECRET: is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)");
    expect(() => loadEnv({ ...BASE, SLACK_BOT_TOKEN: "xoxp-user-token", SLACK_APP_TOKEN: "xapp-1" })).toThrow("SLACK_BOT_TOKEN: must be the bot token (xoxb-…)");
    expect(() => loadEnv({ ...BASE, SLACK_APP_TOKEN: "xapp-1", DATABASE_URL: "mysql://x" })).toThrow("DATABASE_URL: must be a postgresql:// URL");
    expect(() => loadEnv({ ...BASE, SLACK_APP_TOKEN: "xapp-1", CARVE_SECRET_KEY: "short" })).toThrow(/CARVE_SECRET_KEY: must be 32 bytes/);
    // console (issue 18)
    expect(() => loadEnv({ ...BASE, SLACK_APP_TOKEN: "xapp-1", CARVE_PORTAL_URL: "carve.example.com" })).toThrow("CARVE_PORTAL_URL: must be the portal's address, e.g. https://carve.example.com");
  });
});
