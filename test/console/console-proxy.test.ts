import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { attachConsole, createVm, openConsole, parseTrustedProxies, stopVm, type TUserActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { startConsoleServer, type TConsoleServer } from "../../apps/console/src/console-server.ts";
import { openConsoleSocket, portalSessionCookie, presentConsoleLink, type TConsoleClient } from "../../apps/console/src/testing/console-client.ts";
import { startFakeDisplay, type TFakeDisplay } from "../../apps/console/src/testing/fake-display.ts";
import { freePort } from "../lib/stack/redis-server.ts";
import { addConsoleHost } from "../lib/console/console-host.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

// Issue 18 end to end below the browser: a ws client with a portal session cookie → the REAL console
// proxy (startConsoleServer with core's attachConsole, as apps/console/src/main.ts wires it) →
// TLS-PSK → a test:/// agent → the VM's display, a UNIX socket this test listens on as QEMU would
// (CARVE_CONSOLE_SOCKET_DIR; a short directory: UNIX socket paths are limited to 107 bytes).
const PORTAL = "http://127.0.0.1:3000";
const SECRET = randomBytes(32).toString("base64");
let stack: Stack;
let dev: TUserActor;
let sockets: string;
let screen: TFakeDisplay;
let port: number;
let proxy: TConsoleServer;

/** The real proxy on `port` (the same one after a restart: the portal's CARVE_CONSOLE_URL does not change). */
const startProxy = () =>
  startConsoleServer(
    { deps: stack.core, connect: (redeemed) => attachConsole(stack.core, redeemed), log: pino({ level: "silent" }), portalUrl: PORTAL, sessionSecret: SECRET, trustedProxies: parseTrustedProxies(""), pollMs: 200 },
    { host: "127.0.0.1", port },
  );

/** dev's browser on the console page: signed in, from the portal's origin, with a fresh link presented. */
async function openedConsole(): Promise<{ client: TConsoleClient; answer: Awaited<ReturnType<typeof presentConsoleLink>> }> {
  const client = await openConsoleSocket(proxy.url, { origin: PORTAL, cookie: await portalSessionCookie(stack.core, dev, SECRET) });
  const link = await openConsole(stack.core, { ...dev, via: "portal", origin: { clientAddr: "127.0.0.1" } }, { vm: "web-1" });
  return { client, answer: await presentConsoleLink(client, link.token) };
}

beforeAll(async () => {
  sockets = await mkdtemp("/tmp/cp-");
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  await addConsoleHost(stack, admin, sockets);
  const created = await createVm(stack.core, dev, { name: "web-1", template: "tiny", offering: "small" });
  await stack.finish(dev, created.job.id);
  screen = await startFakeDisplay("RFB 003.008\n", join(sockets, `${domainName(created.vm.id)}.vnc`));
  port = await freePort();
  proxy = await startProxy();
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await screen?.close();
  await stack?.stop();
  if (sockets) await rm(sockets, { recursive: true, force: true });
});

describe("a browser's console through the real proxy, core's attachConsole and the agent", () => {
  it("carries the display's bytes to the browser and the browser's to the display", async () => {
    const { client, answer } = await openedConsole();
    expect(answer).toEqual({ type: "ready", kind: "vnc", vm: "web-1" });
    expect(String(await client.next())).toBe("RFB 003.008\n");
    client.ws.send(Buffer.from("RFB 003.008\n"));
    await until(async () => screen.received().toString() === "RFB 003.008\n", 10_000, "the browser's bytes at the display");
    screen.latest()?.write(Buffer.from([0, 0, 0, 1, 255]));
    expect(await client.next()).toEqual(Buffer.from([0, 0, 0, 1, 255]));
    client.ws.close();
    await until(async () => proxy.openConsoles() === 0, 10_000, "the proxy to count the console closed");
  });

  it("a proxy restart closes the open console with 1001 (the page offers Reconnect), and the next link works", async () => {
    const { client, answer } = await openedConsole();
    expect(answer).toMatchObject({ type: "ready" });
    await proxy.close();
    expect(await client.closed).toEqual({ code: 1001, reason: "The console proxy is restarting: press Reconnect" });

    proxy = await startProxy();
    const again = await openedConsole();
    expect(again.answer).toEqual({ type: "ready", kind: "vnc", vm: "web-1" });
    expect(String(await again.client.next())).toBe("RFB 003.008\n");
    again.client.ws.close();
  });

  it("the VM stopped: the open console closes with 4001 and the reason the page shows", async () => {
    const { client, answer } = await openedConsole();
    expect(answer).toMatchObject({ type: "ready" });
    await stack.finish(dev, (await stopVm(stack.core, dev, { vm: "web-1" })).id);
    expect(await client.closed).toEqual({ code: 4001, reason: "web-1 is Stopped" });
  });
});
