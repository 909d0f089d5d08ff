// The console proxy as a browser meets it: a real ws client with the portal's session cookie and
// Origin, against real PostgreSQL, with a fake VM display (a loopback TCP server we own) where
// core's attachConsole will plug in.
import { randomBytes } from "node:crypto";
import { createVm, openConsole, parseTrustedProxies, stopVm, sweepJobs, type TActor, type TUserActor } from "@carve/core";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "@carve/core/testing";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { startConsoleServer, type TConsoleServer } from "./console-server.ts";
import { openConsoleSocket, portalSessionCookie, presentConsoleLink, type TConsoleClient } from "./testing/console-client.ts";
import { startFakeDisplay, type TFakeDisplay } from "./testing/fake-display.ts";

const PORTAL = "http://127.0.0.1:3000";
const SECRET = randomBytes(32).toString("base64");
let core: TTestCore;
let clock: number;
let proxy: TConsoleServer;
let display: TFakeDisplay;
let alice: TUserActor;
let bob: TUserActor;
let vmId = "";

beforeAll(async () => {
  core = await createTestCore();
  clock = Date.now();
  core.now = () => new Date(clock);
  alice = await createTestUser(core, "alice");
  bob = await createTestUser(core, "bob");
  await seedInfra(core, { hosts: 1 });
  const { vm, job } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
  core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: "/p/x.qcow2" } });
  await sweepJobs(core);
  vmId = vm.id;
  display = await startFakeDisplay("RFB 003.008\n");
  proxy = await startConsoleServer(
    {
      deps: core,
      log: pino({ level: "silent" }),
      portalUrl: PORTAL,
      sessionSecret: SECRET,
      trustedProxies: parseTrustedProxies(""),
      pollMs: 100,
      connect: display.connect,
    },
    { host: "127.0.0.1", port: 0 },
  );
});
afterAll(async () => {
  await proxy?.close();
  await display?.close();
  await core?.drop();
});
/** Every browser a test opened closes before the next test, so the proxy's count starts at 0. */
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const ws of clients.splice(0)) ws.close();
  while (proxy.openConsoles() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
});

const sessionCookie = (user: TUserActor) => portalSessionCookie(core, user, SECRET);

/** A console link made in the portal from this machine (the proxy sees the test's ws client at 127.0.0.1). */
const link = async (user: TUserActor = alice, kind: "vnc" | "serial" = "vnc") => (await openConsole(core, { ...user, via: "portal", origin: { clientAddr: "127.0.0.1" } } as TActor, { vm: vmId, kind })).token;

/** A browser's WebSocket to the proxy (closed after the test); rejects with the refused upgrade's status. */
async function browser(headers: Record<string, string>): Promise<TConsoleClient> {
  const client = await openConsoleSocket(proxy.url, headers);
  clients.push(client.ws);
  return client;
}

const signedIn = async (user: TUserActor = alice) => browser({ origin: PORTAL, cookie: await sessionCookie(user) });

const present = presentConsoleLink;

describe("the console proxy", () => {
  it("refuses an upgrade from another site's page (403) and one without a portal session (401)", async () => {
    const cookie = await sessionCookie(alice);
    await expect(browser({ origin: "https://evil.example", cookie })).rejects.toThrow("HTTP 403");
    await expect(browser({ cookie })).rejects.toThrow("HTTP 403");
    await expect(browser({ origin: PORTAL })).rejects.toThrow("HTTP 401");
    await expect(browser({ origin: PORTAL, cookie: "next-auth.session-token=forged" })).rejects.toThrow("HTTP 401");
  });

  it("refuses a forged, a used, an expired and another user's link with their codes and messages, then closes 4403", async () => {
    const forged = await signedIn();
    expect(await present(forged, "A".repeat(43))).toMatchObject({ type: "refused", code: "CONSOLE_TOKEN_INVALID", message: expect.stringContaining("not valid") });
    expect(await forged.closed).toEqual({ code: 4403, reason: "CONSOLE_TOKEN_INVALID" });

    const token = await link();
    const first = await signedIn();
    expect(await present(first, token)).toEqual({ type: "ready", kind: "vnc", vm: "web-1" });
    first.ws.close();
    const again = await signedIn();
    expect(await present(again, token)).toMatchObject({ type: "refused", code: "CONSOLE_TOKEN_USED", message: expect.stringContaining("already used") });

    const late = await link();
    clock += 61_000;
    try {
      expect(await present(await signedIn(), late)).toMatchObject({ type: "refused", code: "CONSOLE_TOKEN_EXPIRED", message: expect.stringContaining("60 seconds") });
    } finally {
      clock -= 61_000;
    }

    const alices = await link();
    const stolen = await signedIn(bob);
    expect(await present(stolen, alices)).toMatchObject({ type: "refused", code: "CONSOLE_TOKEN_OTHER_USER" });
    expect((await stolen.closed).code).toBe(4403);
    // bob's try did not use alice's link up.
    const hers = await signedIn();
    expect(await present(hers, alices)).toMatchObject({ type: "ready" });
  });

  it("refuses a first message that is not a console link", async () => {
    const client = await signedIn();
    expect(await present(client, 42 as unknown as string)).toMatchObject({ type: "refused", code: "INVALID_INPUT" });
  });

  it("relays bytes both ways between the browser and the VM's display, and counts the open console", async () => {
    const client = await signedIn();
    expect(await present(client, await link(alice, "serial"))).toEqual({ type: "ready", kind: "serial", vm: "web-1" });
    expect(await client.next()).toEqual(Buffer.from("RFB 003.008\n"));
    expect(proxy.openConsoles()).toBe(1);
    client.ws.send(Buffer.from([1, 2, 3, 255]));
    client.ws.send("ls\r");
    while (display.received().length < 7) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(display.received()).toEqual(Buffer.concat([Buffer.from([1, 2, 3, 255]), Buffer.from("ls\r")]));
    display.latest()?.write("web-1 login: ");
    expect(String(await client.next())).toBe("web-1 login: ");

    // The display goes away (the VM rebooted, say): the page is told why.
    display.latest()?.end();
    expect(await client.closed).toEqual({ code: 4000, reason: "The console closed: the VM's display went away (stopped, rebooted or migrated)" });
  });

  it("closes an open console with 4001 and the reason once core ends its session (the VM stopped)", async () => {
    const client = await signedIn();
    expect(await present(client, await link())).toMatchObject({ type: "ready" });
    const stop = await stopVm(core, alice, { vm: vmId });
    core.queues.settle(stop.id, { result: { vmId, state: "stopped" } });
    await sweepJobs(core);
    expect(await client.closed).toEqual({ code: 4001, reason: "web-1 is Stopped" });
  });
});
