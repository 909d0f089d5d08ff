import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel, type BlockButtonAction, type Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "pino";
import { runVmCommand } from "./commands.ts";
import type { TSlackCtx, TSlackDeps } from "./context.ts";
import { CREATE_VIEW, createFromView, createInputOfView, viewErrors } from "./create.ts";
import { cancelDestroy, confirmDestroy, DESTROY_CANCEL, DESTROY_CONFIRM, type TButtonClick } from "./destroy.ts";
import { startNotifier } from "./notifier.ts";
import { answerNotRun, onceOnly, SignedRequestNotRun, signedRequestOf } from "./signed-requests.ts";

export interface TSlackBotOptions extends Omit<TSlackDeps, "jobPollMs" | "jobTimeoutMs"> {
  /** Bot token (xoxb-…). */
  token: string;
  /** HTTP mode: verifies every request (HMAC-SHA256, 5-minute window) and runs each only once. */
  signingSecret?: string;
  /** Socket Mode when set (xapp-…). */
  appToken?: string;
  /** The Web API's base URL (tests point it at a fake). */
  slackApiUrl?: string;
  /** How often DMs about unexpected VM changes and failed jobs are looked for. */
  notifyEveryMs: number;
  jobPollMs?: number;
  jobTimeoutMs?: number;
}

export interface TSlackBot {
  app: App;
  /** Starts listening (HTTP mode: on `port`, 0 for any) and the notifier; returns the HTTP port (null in Socket Mode). */
  start(port: number, host?: string): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Bolt's logger interface over the process's pino logger. Bolt's Web API client logs request
 * bodies at debug level, and a revealed VM password is in one: debug lines are dropped.
 */
function boltLogger(log: Logger): BoltLogger {
  const text = (msg: unknown[]) => msg.map(String).join(" ");
  return {
    debug: () => undefined,
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/**
 * The Slack front door: `/vm` commands, the create form, destroy buttons and DMs, over core. Every
 * listener acknowledges first (Slack wants an answer within 3 s) and then works; Bolt's HTTP
 * receiver verifies each request's signature and refuses ones older than 5 minutes, and onceOnly
 * refuses a signed request seen before (a replay) and answers Slack's retries without running them again.
 */
export function createSlackBot(options: TSlackBotOptions): TSlackBot {
  const logger = boltLogger(options.log);
  const app = new App({
    token: options.token,
    ...(options.appToken
      ? { appToken: options.appToken, socketMode: true }
      : {
          receiver: new HTTPReceiver({
            signingSecret: options.signingSecret ?? "",
            endpoints: ["/slack/events", "/slack/actions"],
            logger,
            customPropertiesExtractor: signedRequestOf,
            processEventErrorHandler: answerNotRun,
          }),
        }),
    ...(options.slackApiUrl ? { clientOptions: { slackApiUrl: options.slackApiUrl } } : {}),
    logger,
  });
  const deps: TSlackDeps = { core: options.core, log: options.log, jobPollMs: options.jobPollMs ?? 500, jobTimeoutMs: options.jobTimeoutMs ?? 600_000, portalUrl: options.portalUrl };
  const ctxOf = (client: TSlackCtx["client"]): TSlackCtx => ({ ...deps, client });
  /** A request's context: its own id on every line it logs, and one line saying what came in. */
  const requestCtx = (client: TSlackCtx["client"], request: string, slackUserId: string): TSlackCtx => {
    const log = deps.log.child({ requestId: randomUUID() });
    log.info({ request, slackUserId }, "slack request");
    return { ...deps, log, client };
  };

  if (!options.appToken) app.use(onceOnly(options.core, options.log));

  app.command("/vm", async ({ ack, command, client }) => {
    await ack();
    await runVmCommand(requestCtx(client, `/vm ${command.text.trim().split(/\s+/)[0] ?? ""}`, command.user_id), {
      slackUserId: command.user_id,
      channel: command.channel_id,
      teamId: command.team_id,
      triggerId: command.trigger_id,
      text: command.text,
    });
  });

  app.view(CREATE_VIEW, async ({ ack, body, view, client }) => {
    const input = createInputOfView(view.state.values);
    const errors = viewErrors(input);
    if (errors) return ack({ response_action: "errors", errors });
    await ack();
    await createFromView(requestCtx(client, "create form", body.user.id), body.user.id, view, input);
  });

  const click = (body: BlockButtonAction, respond: (m: { replace_original: boolean; text: string }) => Promise<unknown>): TButtonClick => ({
    slackUserId: body.user.id,
    channel: body.channel?.id ?? body.user.id,
    value: body.actions[0]?.value ?? "",
    respond: (text) => respond({ replace_original: true, text }),
  });
  app.action<BlockButtonAction>(DESTROY_CONFIRM, async ({ ack, body, respond, client }) => {
    await ack();
    await confirmDestroy(requestCtx(client, "destroy confirmed", body.user.id), click(body, respond));
  });
  app.action<BlockButtonAction>(DESTROY_CANCEL, async ({ ack, body, respond }) => {
    await ack();
    await cancelDestroy(click(body, respond));
  });

  app.error(async (error) => {
    // Handed back to the receiver, which answers it (answerNotRun): not a failure.
    if (error instanceof SignedRequestNotRun) throw error;
    options.log.error({ err: error }, "Slack listener failed");
  });

  let notifier: { stop(): Promise<void> } | null = null;
  return {
    app,
    async start(port, host) {
      let listening: number | null = null;
      if (options.appToken) {
        await app.start();
      } else {
        const server = await app.start({ port, host: host ?? "0.0.0.0" });
        listening = (server.address() as AddressInfo).port;
      }
      notifier = startNotifier(ctxOf(app.client), options.notifyEveryMs);
      return listening;
    },
    async stop() {
      await notifier?.stop();
      await app.stop();
    },
  };
}
