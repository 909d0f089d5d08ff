// Issue 18 (console, portal): the console page in Chromium, with the console proxy started here in
// process and a fake serial display where core's attachConsole and the agent will be (an interface
// we own). A Stopped VM's console says what to do; a used link is refused in words; Reconnect gets
// a new link and shows the display's text.
import { randomBytes } from "node:crypto";
import { createLocalUser, createVm, openConsole, parseTrustedProxies, withIdentity, type TActor } from "@carve/core";
import { seedInfra } from "@carve/core/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleServer, type TConsoleServer } from "../../apps/console/src/console-server.ts";
import { startFakeDisplay, type TFakeDisplay } from "../../apps/console/src/testing/fake-display.ts";
import { startPortalRun, type TPortalRun } from "../lib/portal/portal-session.ts";
import { freePort } from "../lib/stack/redis-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

const DEV = { username: "dana", password: "dana-has-a-long-password-1" };
const SESSION_SECRET = randomBytes(32).toString("base64");
let stack: Stack;
let run: TPortalRun;
let proxy: TConsoleServer;
let display: TFakeDisplay;
/** A VNC server's first words: noVNC answers with its own version once it has the socket. */
let screen: TFakeDisplay;
let dana: TActor;
const vms = { running: "", stopped: "" };

beforeAll(async () => {
  stack = await new Stack().init();
  const secretKey = randomBytes(32);
  const ops: TActor = await createUser(stack.core, "ops", "Admin");
  const { hosts } = await seedInfra(stack.core, { hosts: 1 });
  const user = await createLocalUser(withIdentity(stack.core, { secretKey }), ops, { username: DEV.username, password: DEV.password, role: "User" });
  dana = { kind: "user", userId: user.id, username: DEV.username, role: "User", via: "portal", origin: { clientAddr: "127.0.0.1" } };
  // No agent runs here: the VMs' states are set as the controller would have finalised them.
  for (const [name, state] of [["web-1", "Running"], ["web-2", "Stopped"]] as const) {
    const { vm } = await createVm(stack.core, dana, { name, template: "tiny", offering: "small" });
    await stack.core.db.vm.update({ where: { id: vm.id }, data: { state, hostId: state === "Running" ? (hosts[0]?.host.id ?? null) : null } });
    vms[state === "Running" ? "running" : "stopped"] = vm.id;
  }
  display = await startFakeDisplay("carve fake serial console\r\nweb-1 login: ");
  screen = await startFakeDisplay("RFB 003.008\n");
  const consolePort = await freePort();
  run = await startPortalRun(stack, secretKey, { NEXTAUTH_SECRET: SESSION_SECRET, CARVE_CONSOLE_URL: `ws://127.0.0.1:${consolePort}/console` });
  proxy = await startConsoleServer(
    { deps: stack.core, connect: (redeemed) => (redeemed.kind === "vnc" ? screen : display).connect(redeemed), log: pino({ level: "silent" }), portalUrl: run.portal.url, sessionSecret: SESSION_SECRET, trustedProxies: parseTrustedProxies("") },
    { host: "127.0.0.1", port: consolePort },
  );
}, 600_000);

afterAll(async () => {
  await proxy?.close();
  await display?.close();
  await screen?.close();
  await run?.close();
  await stack?.stop();
});

describe("the console page", () => {
  it("of a Stopped VM says to start it", async () => {
    const { context, page } = await run.signIn(DEV.username, DEV.password);
    await run.visit(page, `/vms/${vms.stopped}/console?kind=vnc`, "vm-console");
    await expect(page.getByRole("main").getByRole("alert").textContent()).resolves.toBe("VM web-2 is Stopped: start it to use its console.");
    await context.close();
  });

  it("shows the serial display through a link, refuses the link a second time in words, and Reconnect opens a new one", async () => {
    const { context, page } = await run.signIn(DEV.username, DEV.password);
    const link = await openConsole(stack.core, dana, { vm: vms.running, kind: "serial" });
    await run.visit(page, link.path, "vm-console");
    const terminal = page.getByLabel("serial console of web-1").locator(".xterm-rows");
    await terminal.filter({ hasText: "web-1 login:" }).waitFor();
    // The one-time token is gone from the address bar (and so from history and bookmarks).
    expect(page.url()).toBe(`${run.portal.url}/vms/${vms.running}/console?kind=serial`);
    await page.keyboard.type("root\r");
    await expect.poll(() => display.received().toString()).toBe("root\r");
    await run.screenshot(page, "vm-console-serial.png");

    const again = await context.newPage();
    await run.visit(again, link.path, "vm-console");
    await expect(again.getByRole("main").getByRole("alert").textContent()).resolves.toMatch(/^This console link was already used: each link opens one console\./);
    await again.getByRole("button", { name: "Reconnect" }).click();
    await again.getByLabel("serial console of web-1").locator(".xterm-rows").filter({ hasText: "web-1 login:" }).waitFor();
    await expect(again.getByRole("main").getByRole("status").textContent()).resolves.toBe("Connected to the serial console of web-1.");
    await context.close();
  });

  it("hands the graphical console's socket to noVNC, which speaks RFB to the display", async () => {
    const { context, page } = await run.signIn(DEV.username, DEV.password);
    await run.visit(page, `/vms/${vms.running}/console?kind=vnc`, "vm-console");
    await expect.poll(() => screen.received().toString()).toBe("RFB 003.008\n");
    await expect(page.getByRole("button", { name: "Ctrl-Alt-Del" }).isEnabled()).resolves.toBe(true);
    await context.close();
  });
});
