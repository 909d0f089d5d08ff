import type { Duplex } from "node:stream";
import { CarveError, redeemConsoleToken, toCarveError, watchConsoleSession, type CoreDeps, type TRedeemedConsole } from "@carve/core";
import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";

/**
 * Opens the byte stream to one redeemed console's display (core's attachConsole: TLS-PSK to the
 * VM's host's agent). Raw RFB for vnc; raw serial bytes (starting with the log's tail) for serial.
 */
export type TConnect = (redeemed: TRedeemedConsole) => Promise<Duplex>;

/** Close codes the console page tells apart (4000–4999 are the application's). */
export const CLOSE = { displayGone: 4000, sessionEnded: 4001, refused: 4403, agentFailed: 1011 } as const;
const DISPLAY_GONE = "The console closed: the VM's display went away (stopped, rebooted or migrated)";
const AGENT_FAILED = "The console lost its connection to the VM's host; press Reconnect";

export interface TRelayOptions {
  deps: CoreDeps;
  connect: TConnect;
  log: Logger;
  /** The browser's address and signed-in user, from the upgrade. */
  client: { address: string; userId: string };
  /** How long the page has to send its console link (default 10 s). */
  firstMessageMs: number;
  /** How often the session is re-checked while the stream is open (default 3 s). */
  pollMs: number;
}

/** A WebSocket close reason is at most 123 bytes of UTF-8: cut at a character, never inside one. */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let cut = "";
  for (const char of text) {
    if (Buffer.byteLength(cut + char) > 120) break;
    cut += char;
  }
  return `${cut}…`;
}

/** Pauses the display's stream while the browser's socket has this much unsent (a slow link). */
const HIGH_WATER = 1 << 20;

/**
 * One browser's console: waits for its link (`{"token":"…"}`, the first text message), redeems it
 * for the signed-in user from the browser's address, connects to the display, answers `ready`, then
 * relays bytes both ways until either side ends or core ends the session. A refusal before ready
 * is `{"type":"refused",code,message}` and close 4403. Resolves when the socket has closed.
 */
export function relayConsole(socket: WebSocket, options: TRelayOptions): Promise<void> {
  const { deps, log } = options;
  let stream: Duplex | null = null;
  let redeemed: TRedeemedConsole | null = null;
  let stopWatching = () => {};
  const close = (code: number, reason: string) => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, closeReason(reason));
  };
  const refuse = (error: unknown) => {
    const refusal = toCarveError(error);
    if (!refusal.expected) log.error({ err: error }, "console connection failed");
    else log.info({ code: refusal.code, client: options.client.address }, "console refused");
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: "refused", code: refusal.code, message: refusal.message }));
    close(CLOSE.refused, refusal.code);
  };

  const waiting = setTimeout(() => refuse(new CarveError("INVALID_INPUT", "The console page sent no console link within 10 seconds. Reload the page or open the console again.")), options.firstMessageMs);

  const start = async (data: RawData, isBinary: boolean) => {
    clearTimeout(waiting);
    if (socket.readyState !== socket.OPEN) return; // refused already (too late)
    const token = isBinary ? undefined : firstMessageToken(data.toString());
    if (token === undefined) throw new CarveError("INVALID_INPUT", 'The first message must be the console link as {"token":"…"}: open the console from the VM\'s page.');
    redeemed = await redeemConsoleToken(deps, { token, client: options.client });
    const opened = await options.connect(redeemed);
    if (socket.readyState !== socket.OPEN) {
      opened.destroy();
      return;
    }
    stream = opened;
    socket.send(JSON.stringify({ type: "ready", kind: redeemed.kind, vm: redeemed.vmName }));
    pipe(socket, opened);
    const { sessionId } = redeemed;
    stopWatching = watchConsoleSession(
      deps,
      sessionId,
      options.pollMs,
      (reason) => close(CLOSE.sessionEnded, reason),
      (err) => log.warn({ err, sessionId }, "could not check a console session; trying again"),
    );
    opened.on("end", () => close(CLOSE.displayGone, DISPLAY_GONE));
    opened.on("error", (err) => {
      log.warn({ err, sessionId }, "console stream to the agent failed");
      close(CLOSE.agentFailed, AGENT_FAILED);
    });
    log.info({ sessionId, vm: redeemed.vmName, kind: redeemed.kind, userId: options.client.userId, client: options.client.address }, "console opened");
  };

  socket.once("message", (data, isBinary) => void start(data, isBinary).catch(refuse));
  return new Promise((resolve) => {
    socket.on("close", (code) => {
      clearTimeout(waiting);
      stopWatching();
      stream?.destroy();
      if (redeemed) log.info({ sessionId: redeemed.sessionId, vm: redeemed.vmName, code }, "console closed");
      resolve();
    });
  });
}

/** The token of `{"token":"…"}`, or undefined for anything else. */
function firstMessageToken(text: string): string | undefined {
  try {
    const message = JSON.parse(text) as unknown;
    const token = typeof message === "object" && message !== null ? (message as Record<string, unknown>)["token"] : undefined;
    return typeof token === "string" ? token : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bytes both ways, with back-pressure: the display's stream pauses while the browser lags, the
 * browser's socket while the agent's stream is full. A text frame from the page (typed text) goes
 * on as its UTF-8 bytes.
 */
function pipe(socket: WebSocket, stream: Duplex): void {
  stream.on("data", (chunk: Buffer) => {
    socket.send(chunk, { binary: true }, () => {
      if (stream.isPaused() && socket.bufferedAmount < HIGH_WATER / 2) stream.resume();
    });
    if (socket.bufferedAmount > HIGH_WATER) stream.pause();
  });
  socket.on("message", (data) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    if (!stream.write(bytes)) {
      socket.pause();
      stream.once("drain", () => socket.resume());
    }
  });
}
