import { createHmac, randomBytes } from "node:crypto";
import { withIdentity, type CoreDeps } from "@carve/core";
import { createSlackBot, type TSlackBot } from "@carve/slack";
import { pino } from "pino";
import type { FakeSlack } from "./fake-slack.ts";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const TEAM_ID = "T0CARVE";
export const CHANNEL_ID = "C0DEV";
/** The portal's address the bot is configured with (CARVE_PORTAL_URL), for console links. */
export const PORTAL_URL = "https://carve.example.com";

export interface TSlackResponse {
  status: number;
  body: string;
  ms: number;
}

export interface TSendOptions {
  /** Seconds since the epoch written in X-Slack-Request-Timestamp (default now). */
  timestamp?: number;
  /** Overrides the computed signature. */
  signature?: string;
  headers?: Record<string, string>;
}

/** Slack's request signature: v0= HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** Sends what Slack sends: signed form posts of slash commands, button clicks and form submissions. */
export class SlackDriver {
  constructor(
    readonly botUrl: string,
    readonly fake: FakeSlack,
  ) {}

  async post(path: string, body: string, options: TSendOptions = {}): Promise<TSlackResponse> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const started = Date.now();
    const res = await fetch(`${this.botUrl}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": options.signature ?? signature(SIGNING_SECRET, timestamp, body),
        ...options.headers,
      },
      body,
    });
    return { status: res.status, body: await res.text(), ms: Date.now() - started };
  }

  /** The form body of `/vm TEXT` typed by `user` in the test channel. */
  commandBody(user: string, text: string, triggerId = `${Date.now()}.${randomBytes(4).toString("hex")}`): string {
    return new URLSearchParams({
      token: "legacy-verification-token",
      team_id: TEAM_ID,
      team_domain: "carve-test",
      channel_id: CHANNEL_ID,
      channel_name: "dev",
      user_id: user,
      user_name: user.toLowerCase(),
      command: "/vm",
      text,
      api_app_id: "A0CARVE",
      response_url: `${this.fake.url}/commands/${randomBytes(4).toString("hex")}`,
      trigger_id: triggerId,
    }).toString();
  }

  command(user: string, text: string, options: TSendOptions = {}): Promise<TSlackResponse> {
    return this.post("/slack/events", this.commandBody(user, text), options);
  }

  private interaction(payload: Record<string, unknown>): Promise<TSlackResponse> {
    return this.post("/slack/actions", new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  /** A click on a button of an ephemeral message in the test channel. */
  click(user: string, actionId: string, value: string): Promise<TSlackResponse> {
    return this.interaction({
      type: "block_actions",
      api_app_id: "A0CARVE",
      token: "legacy-verification-token",
      trigger_id: `${Date.now()}.click`,
      team: { id: TEAM_ID, domain: "carve-test" },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      container: { type: "message", message_ts: "1.000200", channel_id: CHANNEL_ID, is_ephemeral: true },
      channel: { id: CHANNEL_ID, name: "dev" },
      response_url: `${this.fake.url}/actions/${randomBytes(4).toString("hex")}`,
      actions: [{ type: "button", action_id: actionId, block_id: "b", value, action_ts: `${Date.now() / 1000}` }],
    });
  }

  /** Submitting a modal the bot opened (views.open), with each block's input. */
  submitView(user: string, opened: Record<string, unknown>, viewId: string, values: Record<string, string>): Promise<TSlackResponse> {
    const view = opened["view"] as { callback_id: string; private_metadata: string };
    const state = Object.fromEntries(
      Object.entries(values).map(([block, value]) => [
        block,
        { value: block === "name" ? { type: "plain_text_input", value } : { type: "static_select", selected_option: { text: { type: "plain_text", text: value }, value } } },
      ]),
    );
    return this.interaction({
      type: "view_submission",
      api_app_id: "A0CARVE",
      token: "legacy-verification-token",
      trigger_id: `${Date.now()}.submit`,
      team: { id: TEAM_ID, domain: "carve-test" },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      view: { id: viewId, team_id: TEAM_ID, type: "modal", callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: state }, hash: "h", app_id: "A0CARVE", bot_id: "B0BOT" },
    });
  }
}

/**
 * The bot in this process on a free loopback port, talking to the fake Web API, logging at the
 * most detailed level into `logs` (so a test can look for what must never be logged).
 */
export async function startBot(core: CoreDeps, fake: FakeSlack, options: { notifyEveryMs?: number } = {}): Promise<{ bot: TSlackBot; driver: SlackDriver; logs: string[] }> {
  const logs: string[] = [];
  const bot = createSlackBot({
    core: withIdentity(core, { secretKey: randomBytes(32) }),
    log: pino({ level: "trace" }, { write: (line: string) => void logs.push(line) }),
    token: "xoxb-carve-test",
    signingSecret: SIGNING_SECRET,
    slackApiUrl: `${fake.url}/api/`,
    notifyEveryMs: options.notifyEveryMs ?? 300,
    jobPollMs: 100,
    portalUrl: PORTAL_URL,
  });
  const port = await bot.start(0, "127.0.0.1");
  return { bot, driver: new SlackDriver(`http://127.0.0.1:${port}`, fake), logs };
}
