"use client";

import "@xterm/xterm/css/xterm.css";
import { useCallback, useEffect, useRef, useState } from "react";
import { openConsoleAction } from "../../actions.ts";

type TKind = "vnc" | "serial";
type TStatus = { phase: "connecting" } | { phase: "ready" } | { phase: "ended"; message: string };
/** What is drawn in the screen area: noVNC's canvas or an xterm.js terminal. */
interface TScreen {
  ctrlAltDel?(): void;
  dispose(): void;
}
/** The proxy's text answers before any console byte (apps/console relay.ts). */
type TAnswer = { type: "ready"; kind: TKind; vm: string } | { type: "refused"; code: string; message: string };

const TOKEN = /(?:^#|&)token=([^&]+)/;
const NAMES: Record<TKind, string> = { vnc: "graphical console", serial: "serial console" };

/** How a closed console reads to its user, from the proxy's close code and reason (apps/console relay.ts CLOSE). */
function endingMessage(event: CloseEvent, opened: boolean, consoleUrl: string): string {
  if (!opened) return `The console service (${consoleUrl}) could not be reached or turned this page away: sign in again and press Reconnect, or ask an admin whether carve-console is running.`;
  if (event.code === 4001) return `The console session ended: ${event.reason}. Press Reconnect once the VM is Running.`;
  return event.reason || "The console connection closed. Press Reconnect.";
}

type TShow = (container: HTMLElement, socket: WebSocket) => TScreen;

/**
 * Loads noVNC or xterm.js before the socket opens (they touch the browser, so never on the server):
 * the screen must take the socket over in the same turn as the proxy's ready, before the console's
 * first bytes arrive.
 */
async function loadScreen(kind: TKind): Promise<TShow> {
  if (kind === "vnc") {
    const { default: RFB } = await import("@novnc/novnc");
    return (container, socket) => {
      // RFB takes the open socket over (its own message handler) from the next message on.
      const rfb = new RFB(container, socket);
      rfb.scaleViewport = true;
      return { ctrlAltDel: () => rfb.sendCtrlAltDel(), dispose: () => rfb.disconnect() };
    };
  }
  const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
  return (container, socket) => {
    const terminal = new Terminal({ cursorBlink: true, scrollback: 5000, fontFamily: "monospace" });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(container);
    fit.fit();
    socket.onmessage = (event: MessageEvent) => {
      if (event.data instanceof ArrayBuffer) terminal.write(new Uint8Array(event.data));
    };
    // Keystrokes go to the serial port as UTF-8 bytes.
    const encoder = new TextEncoder();
    terminal.onData((data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
    });
    const refit = () => fit.fit();
    window.addEventListener("resize", refit);
    terminal.focus();
    return {
      dispose: () => {
        window.removeEventListener("resize", refit);
        terminal.dispose();
      },
    };
  };
}

/**
 * The console of one VM: takes the one-time link from the address's fragment (and removes it from
 * the address bar and history), or asks for a new one, opens the console proxy's WebSocket, sends
 * the link and, once the proxy answers ready, hands the socket to noVNC or xterm.js. Refusals and
 * endings show the proxy's own message; Reconnect asks for a new link.
 */
export function ConsoleView({ vm, kind, consoleUrl }: { vm: { id: string; name: string }; kind: TKind; consoleUrl: string }) {
  const container = useRef<HTMLDivElement>(null);
  const live = useRef<{ socket: WebSocket; screen: TScreen | null } | null>(null);
  const [status, setStatus] = useState<TStatus>({ phase: "connecting" });

  const disconnect = () => {
    live.current?.screen?.dispose();
    live.current?.socket.close(1000);
    live.current = null;
  };

  const connect = useCallback(
    async (token: string) => {
      disconnect();
      const show = await loadScreen(kind);
      const socket = new WebSocket(consoleUrl, ["binary"]);
      socket.binaryType = "arraybuffer";
      const current: { socket: WebSocket; screen: TScreen | null } = { socket, screen: null };
      live.current = current;
      let opened = false;
      let refusal: string | null = null;
      socket.onopen = () => {
        opened = true;
        socket.send(JSON.stringify({ token }));
      };
      socket.onmessage = (event: MessageEvent) => {
        if (typeof event.data !== "string" || !container.current) return;
        const answer = JSON.parse(event.data) as TAnswer;
        if (answer.type === "refused") refusal = answer.message;
        else {
          current.screen = show(container.current, socket);
          setStatus({ phase: "ready" });
        }
      };
      socket.addEventListener("close", (event) => {
        if (live.current !== current) return;
        current.screen?.dispose();
        setStatus({ phase: "ended", message: refusal ?? endingMessage(event, opened, consoleUrl) });
      });
    },
    [consoleUrl, kind],
  );

  const reconnect = useCallback(async () => {
    setStatus({ phase: "connecting" });
    const result = await openConsoleAction(vm.id, kind);
    const token = result.path ? TOKEN.exec(new URL(result.path, window.location.href).hash)?.[1] : undefined;
    if (token) await connect(token);
    else setStatus({ phase: "ended", message: result.message ?? "No console link could be made. Try again." });
  }, [vm.id, kind, connect]);

  useEffect(() => {
    const token = TOKEN.exec(window.location.hash)?.[1];
    // The link works once: keep it out of the address bar, bookmarks and history.
    if (window.location.hash) window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    void (token ? connect(token) : reconnect());
    return disconnect;
  }, [connect, reconnect]);

  const other: TKind = kind === "vnc" ? "serial" : "vnc";
  return (
    <div className="panel">
      <div className="toolbar">
        <h1>{kind === "vnc" ? "Console" : "Serial console"} of {vm.name}</h1>
        <div className="actions">
          {kind === "vnc" && (
            <button type="button" disabled={status.phase !== "ready"} onClick={() => live.current?.screen?.ctrlAltDel?.()}>
              Ctrl-Alt-Del
            </button>
          )}
          <a href={`/vms/${vm.id}/console?kind=${other}`}>{kind === "vnc" ? "Serial console" : "Graphical console"}</a>
          <a href={`/vms/${vm.id}/console?kind=${kind}`} target="_blank" rel="noopener">Open in own window</a>
          {status.phase === "ended" && (
            <button type="button" onClick={() => void reconnect()}>
              Reconnect
            </button>
          )}
        </div>
      </div>
      {status.phase === "ended" ? (
        <p className="alert" role="alert">{status.message}</p>
      ) : (
        <p className="muted" role="status">{status.phase === "ready" ? `Connected to the ${NAMES[kind]} of ${vm.name}.` : `Connecting to the ${NAMES[kind]} of ${vm.name}…`}</p>
      )}
      <div ref={container} className={`console-screen console-${kind}`} aria-label={`${NAMES[kind]} of ${vm.name}`} />
    </div>
  );
}
