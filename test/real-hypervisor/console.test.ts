import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { attachConsole, createLocalUser, createVm, destroyVm, openConsole, parseTrustedProxies, withIdentity, type TUserActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { startConsoleServer, type TConsoleServer } from "../../apps/console/src/console-server.ts";
import { waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { useRealHostSuite } from "../lib/hypervisor/real-host.ts";
import { connectRfbSocket, US_SHIFTED } from "../lib/hypervisor/rfb-client.ts";
import { run } from "../lib/hypervisor/run.ts";
import { TINY_BOOT_MARKER } from "../lib/hypervisor/tiny-image.ts";
import { virsh } from "../lib/hypervisor/virsh.ts";
import { startPortalRun, type TPortalRun } from "../lib/portal/portal-session.ts";
import { freePort } from "../lib/stack/redis-server.ts";
import { until } from "../lib/stack/stack.ts";

// Issue 18's real lane: ONE booted tiny guest on libvirtd + QEMU (TCG). Its display is QEMU's VNC on
// a UNIX socket only; our RFB client reads it there directly, then Chromium reaches it the way a user
// does: the built portal, the REAL console proxy (startConsoleServer with core's attachConsole, in
// this process) and the agent's TLS-PSK listener. The guest has a root shell on tty1 (typed into
// over VNC) and keeps its boot lines on ttyS0 (the serial log).

const DANA = { username: "dana", password: "dana-has-a-long-password-1" };
const ERIN = { username: "erin", password: "erin-has-a-long-password-2" };
const SESSION_SECRET = randomBytes(32).toString("base64");
const suite = useRealHostSuite();
let portal: TPortalRun;
let proxy: TConsoleServer;
let dana: TUserActor;
const vm = { id: "", name: "screen-1", log: "" };

beforeAll(async () => {
  const { stack, admin } = suite;
  const secretKey = randomBytes(32);
  const identity = withIdentity(stack.core, { secretKey });
  const user = await createLocalUser(identity, admin, { ...DANA, role: "User" });
  await createLocalUser(identity, admin, { ...ERIN, role: "User" });
  dana = { kind: "user", userId: user.id, username: DANA.username, role: "User", via: "portal", origin: { clientAddr: "127.0.0.1" } };
  // The guest boots (TCG: tens of seconds on a busy machine) while the portal builds and starts.
  const created = await createVm(stack.core, dana, { name: vm.name, template: "tiny", offering: "tiny" });
  vm.id = created.vm.id;
  vm.log = suite.real.consoleLog(vm.id);
  const consolePort = await freePort();
  portal = await startPortalRun(stack, secretKey, { NEXTAUTH_SECRET: SESSION_SECRET, CARVE_CONSOLE_URL: `ws://127.0.0.1:${consolePort}/console` });
  proxy = await startConsoleServer(
    { deps: stack.core, connect: (redeemed) => attachConsole(stack.core, redeemed), log: pino({ level: "silent" }), portalUrl: portal.portal.url, sessionSecret: SESSION_SECRET, trustedProxies: parseTrustedProxies("") },
    { host: "127.0.0.1", port: consolePort },
  );
  expect((await stack.finish(dana, created.job.id)).state).toBe("Succeeded");
  await waitForConsoleLine(vm.log, TINY_BOOT_MARKER, 90_000);
}, 600_000);

afterAll(async () => {
  await proxy?.close();
  await portal?.close();
});

/** What the pixel count needs of a canvas (test/ compiles without the DOM's types). */
interface TCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } } | null;
}

/** noVNC's canvas on the console page. */
const screenCanvas = (page: Page) => page.locator(`[aria-label="graphical console of ${vm.name}"] canvas`);

/** Lit pixels (not the most common colour) in the top half of noVNC's canvas: the guest's text. */
function canvasText(page: Page): Promise<number> {
  return screenCanvas(page).evaluate((element) => {
    const canvas = element as unknown as TCanvas;
    const context = canvas.getContext("2d");
    if (!context || canvas.width === 0 || canvas.height === 0) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 4) {
      const pixel = ((data[i] ?? 0) << 24) | ((data[i + 1] ?? 0) << 16) | ((data[i + 2] ?? 0) << 8) | (data[i + 3] ?? 0);
      counts.set(pixel, (counts.get(pixel) ?? 0) + 1);
    }
    const background = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    let lit = 0;
    for (let i = 0; i < data.length / 2; i += 4) {
      const pixel = ((data[i] ?? 0) << 24) | ((data[i + 1] ?? 0) << 16) | ((data[i + 2] ?? 0) << 8) | (data[i + 3] ?? 0);
      if (pixel !== background) lit++;
    }
    return lit;
  });
}

/** Types `text` and Enter into the focused canvas as a US keyboard does (Shift held for shifted characters). */
async function typeLine(page: Page, text: string): Promise<void> {
  for (const char of text) {
    if (US_SHIFTED.has(char)) await page.keyboard.down("Shift");
    await page.keyboard.type(char);
    if (US_SHIFTED.has(char)) await page.keyboard.up("Shift");
  }
  await page.keyboard.press("Enter");
}

it("the VM's VNC display is a UNIX socket only; it shows the text console and its keyboard reaches the guest", async () => {
  // libvirt chooses the socket (in the domain's private directory) and says where in the live XML.
  const live = await virsh(suite.real.uri, ["dumpxml", domainName(vm.id)]);
  const socket = /<graphics type='vnc' socket='([^']+)'/.exec(live)?.[1];
  expect(socket).toMatch(/^\/var\/lib\/libvirt\/qemu\/domain-\d+-carve-[\w-]+\/vnc\.sock$/);
  expect(live).not.toMatch(/<graphics[^>]* port=/);
  const listeners = (await run("ss", ["-ltnp"])).stdout;
  expect(listeners.split("\n").filter((line) => line.includes("qemu"))).toEqual([]);

  const rfb = await connectRfbSocket(socket ?? "?");
  try {
    // The text console (720×400 in VGA text mode) shows the boot lines and tty1's prompt.
    await until(async () => {
      await rfb.refresh();
      return rfb.nonBackgroundPixels({ x: 0, y: 0, width: rfb.width, height: Math.floor(rfb.height / 2) }) > 500;
    }, 30_000, "text on the VNC framebuffer");

    const mark = `MARK-${randomBytes(3).toString("hex")}`;
    rfb.typeLine(`echo ${mark} > /dev/ttyS0`);
    await waitForConsoleLine(vm.log, new RegExp(`^${mark}$`), 30_000);
  } finally {
    rfb.close();
  }
});

it("in Chromium, the owner's Console button shows the guest's screen, keys typed into it reach the guest, and the Serial console shows the boot lines", async () => {
  const { context, page } = await portal.signIn(DANA.username, DANA.password);
  await portal.visit(page, `/vms/${vm.id}`, "vm");
  const clicked = performance.now();
  await page.getByRole("region", { name: "Console" }).getByRole("button", { name: "Console", exact: true }).click();
  await page.waitForURL(`${portal.portal.url}/vms/${vm.id}/console?kind=vnc`);
  const loaded = performance.now();
  await page.getByRole("main").getByRole("status").filter({ hasText: `Connected to the graphical console of ${vm.name}.` }).waitFor();
  const ready = performance.now();
  await screenCanvas(page).waitFor({ state: "attached" });
  await expect.poll(() => canvasText(page), { timeout: 30_000, interval: 20 }).toBeGreaterThan(0);
  const firstFrame = performance.now();
  console.info(
    `[console] click "Console" → first frame with the guest's text ${Math.round(firstFrame - clicked)} ms (page loaded ${Math.round(loaded - clicked)} ms, proxy ready ${Math.round(ready - clicked)} ms)`,
  );
  // The whole text console, not a stray pixel: the boot lines and tty1's prompt.
  await expect.poll(() => canvasText(page), { timeout: 30_000 }).toBeGreaterThan(500);
  await portal.screenshot(page, "vm-console-vnc-real.png");

  const mark = `MARK-${randomBytes(3).toString("hex")}`;
  await screenCanvas(page).click();
  await typeLine(page, `echo ${mark} > /dev/ttyS0`);
  await waitForConsoleLine(vm.log, new RegExp(`^${mark}$`), 30_000);

  // xterm draws only the rows on screen: a tall window makes room for the whole log so far (the
  // guest prints a tick a second after its boot lines), so the boot lines are on screen too.
  await page.setViewportSize({ width: 1280, height: 10_000 });
  await portal.visit(page, `/vms/${vm.id}`, "vm");
  await page.getByRole("region", { name: "Console" }).getByRole("button", { name: "Serial console" }).click();
  const terminal = page.getByLabel(`serial console of ${vm.name}`).locator(".xterm-rows");
  // The tail of the serial log comes first: the boot marker and the line typed over VNC above.
  await terminal.filter({ hasText: TINY_BOOT_MARKER }).waitFor({ timeout: 30_000 });
  await terminal.filter({ hasText: mark }).waitFor();
  await portal.screenshot(page, "vm-console-serial-real.png");
  await context.close();
});

it("another user's attempt with the owner's link is refused, by the portal and by the proxy, and does not use the link up", async () => {
  const link = await openConsole(suite.stack.core, dana, { vm: vm.id });
  const { context, page } = await portal.signIn(ERIN.username, ERIN.password);
  // The console page of someone else's VM does not exist for erin: it never presents the link.
  expect((await portal.visit(page, link.path, "vm-console"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Not found (404)");
  // Presented to the proxy straight from erin's browser (her session cookie, the portal's origin): refused.
  const token = new URL(link.path, portal.portal.url).hash.replace(/^#token=/, "");
  const answer = await page.evaluate(
    ({ url, token }) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url, ["binary"]);
        socket.onopen = () => socket.send(JSON.stringify({ token }));
        socket.onmessage = (event: MessageEvent) => resolve(String(event.data));
        socket.onclose = (event: { code: number }) => resolve(`closed ${event.code}`);
      }),
    { url: proxy.url, token },
  );
  expect(JSON.parse(answer)).toEqual({
    type: "refused",
    code: "CONSOLE_TOKEN_OTHER_USER",
    message: "This console link was made for another user: sign in as that user, or open the console of your own VM.",
  });
  await context.close();

  const owner = await portal.signIn(DANA.username, DANA.password);
  await portal.visit(owner.page, link.path, "vm-console");
  await owner.page.getByRole("main").getByRole("status").filter({ hasText: `Connected to the graphical console of ${vm.name}.` }).waitFor();
  await owner.context.close();
});

it("destroying the VM leaves nothing on the hypervisor", async () => {
  const { stack } = suite;
  expect((await stack.finish(dana, (await destroyVm(stack.core, dana, { vm: vm.name })).id)).state).toBe("Succeeded");
  expect(await suite.real.objects()).toEqual({ domains: [], volumes: [] });
});
