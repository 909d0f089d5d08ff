import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One Web API call (or response_url post) the bot made, with its arguments decoded. */
export interface TSlackCall {
  method: string;
  args: Record<string, unknown>;
  /** What the fake answered (e.g. a posted message's ts). */
  answer: Record<string, unknown>;
}

/** Form values that carry JSON (blocks, view) as the Web API client sends them. */
function decode(value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = "";
  for await (const chunk of req) raw += String(chunk);
  if (raw === "") return {};
  if ((req.headers["content-type"] ?? "").includes("json")) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries([...new URLSearchParams(raw)].map(([k, v]) => [k, decode(v)]));
}

/**
 * A loopback stand-in for Slack's Web API: answers what the bot calls (auth.test, users.info,
 * chat.postMessage / update / postEphemeral, views.open, conversations.open) and the response_url
 * posts, and records every call in order.
 */
export class FakeSlack {
  readonly calls: TSlackCall[] = [];
  /** Slack user id → email, as users.info tells them; others are unknown to Slack. */
  readonly emails = new Map<string, string>();
  private ts = 1_000;
  private server: Server | null = null;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void readBody(req).then((args) => {
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        const method = path.startsWith("/api/") ? path.slice(5) : "response_url";
        const answer = this.answer(method, args);
        this.calls.push({ method, args, answer });
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://carve-test.slack.com/", team: "Carve", user: "carve", team_id: "T0CARVE", user_id: "U0BOT", bot_id: "B0BOT" };
      case "users.info": {
        const id = String(args["user"]);
        if (!this.emails.has(id)) return { ok: false, error: "user_not_found" };
        return { ok: true, user: { id, name: id.toLowerCase(), profile: { email: this.emails.get(id) } } };
      }
      case "chat.postMessage":
        return { ok: true, channel: args["channel"], ts: `${(this.ts += 1)}.000100`, message: { text: args["text"] } };
      case "chat.update":
        return { ok: true, channel: args["channel"], ts: args["ts"], text: args["text"] };
      case "chat.postEphemeral":
        return { ok: true, message_ts: `${(this.ts += 1)}.000200` };
      case "views.open":
        return { ok: true, view: { id: `V${(this.ts += 1)}` } };
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(args["users"])}` } };
      default:
        return { ok: true };
    }
  }

  /** Calls of one method, optionally only those matching a predicate on their arguments. */
  of(method: string, where: (args: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method && where(c.args)).map((c) => c.args);
  }

  /** Every text the bot sent anywhere (messages, updates, ephemerals, DMs, response_url posts). */
  texts(): string[] {
    return this.calls.map((c) => (typeof c.args["text"] === "string" ? c.args["text"] : "")).filter((t) => t !== "");
  }

  /** Waits until a call matching `where` has been made (after the first `since` calls); returns its arguments. */
  async waitFor(method: string, where: (args: Record<string, unknown>) => boolean, timeoutMs = 30_000, since = 0): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.slice(since).find((c) => c.method === method && where(c.args))?.args;
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no ${method} call as expected within ${timeoutMs} ms; calls so far:\n${this.calls.map((c) => `${c.method} ${JSON.stringify(c.args).slice(0, 300)}`).join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
