import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createNetServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONSOLE_TLS } from "@carve/protocol";
import { ConsoleListener } from "./console-listener.ts";
import type { TConsoleHypervisor } from "./display.ts";

const DOMAIN = `carve-${randomUUID()}`;
let dir: string;
let display: Server;
let listener: ConsoleListener;
let port: number;
/** What the fake display (the VM's VNC socket) received. */
let received: string;

/** A running domain whose live XML names a VNC socket and a serial log in `dir`. */
const hypervisor: TConsoleHypervisor = {
  getDomain: async (name) => (name === DOMAIN ? { name, uuid: randomUUID(), state: "running" } : null),
  domainXml: async () =>
    `<domain><devices><serial type='unix'><source mode='bind' path='${dir}/s'/><log file='${dir}/serial.log'/></serial><graphics type='vnc'><listen type='socket' socket='${dir}/v'/></graphics></devices></domain>`,
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cl-"));
  received = "";
  display = createNetServer((socket) => {
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.write("RFB 003.008\n");
  });
  await new Promise<void>((resolve) => display.listen(join(dir, "v"), resolve));
  listener = new ConsoleListener(hypervisor, pino({ level: "silent" }));
  port = Number((await listener.listen({ host: "127.0.0.1", port: 0 })).split(":")[1]);
});

afterEach(async () => {
  vi.useRealTimers();
  await listener.close();
  await new Promise((resolve) => display.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Connects as the proxy would; resolves with what the agent sent before closing, or the refusal. */
function attach(identity: string, key: Buffer, send?: string): Promise<{ ok: true; text: string } | { ok: false }> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, ...CONSOLE_TLS, checkServerIdentity: () => undefined, pskCallback: () => ({ identity, psk: key }) });
    let text = "";
    let secure = false;
    socket.on("secureConnect", () => {
      secure = true;
      if (send) socket.write(send);
    });
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("RFB")) socket.end();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(secure && text !== "" ? { ok: true, text } : { ok: false }));
  });
}

describe("the console listener's sessions", () => {
  it("connects a registered session to the domain's display, both ways, once", async () => {
    const key = randomBytes(32);
    const sessionId = randomUUID();
    listener.register({ sessionId, domain: DOMAIN, kind: "vnc", key, ttlMs: 30_000 });
    expect(await attach(sessionId, key, "hello display")).toEqual({ ok: true, text: "RFB 003.008\n" });
    await vi.waitFor(() => expect(received).toBe("hello display"));
    expect(await attach(sessionId, key)).toEqual({ ok: false });
  });

  it("refuses an unregistered session and a wrong key, and a wrong key uses the session up", async () => {
    const key = randomBytes(32);
    const sessionId = randomUUID();
    expect(await attach(sessionId, key)).toEqual({ ok: false });
    listener.register({ sessionId, domain: DOMAIN, kind: "vnc", key, ttlMs: 30_000 });
    expect(await attach(sessionId, randomBytes(32))).toEqual({ ok: false });
    expect(await attach(sessionId, key)).toEqual({ ok: false });
    expect(received).toBe("");
  });

  it("forgets a session nobody connected to within its time", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const key = randomBytes(32);
    const sessionId = randomUUID();
    listener.register({ sessionId, domain: DOMAIN, kind: "vnc", key, ttlMs: 30_000 });
    vi.advanceTimersByTime(29_000);
    expect(listener.waiting).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(listener.waiting).toBe(0);
    vi.useRealTimers();
    expect(await attach(sessionId, key)).toEqual({ ok: false });
  });

  it("kind log sends the serial log's last 16 KiB and ends", async () => {
    await writeFile(join(dir, "serial.log"), `${"x".repeat(20_000)}\nlast boot line\n`);
    const key = randomBytes(32);
    const sessionId = randomUUID();
    listener.register({ sessionId, domain: DOMAIN, kind: "log", key, ttlMs: 30_000 });
    const got = await attach(sessionId, key);
    expect(got.ok && got.text.length).toBe(16 * 1024);
    expect(got.ok && got.text.endsWith("x\nlast boot line\n")).toBe(true);
  });
});

