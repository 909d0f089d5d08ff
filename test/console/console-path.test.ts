import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachConsole, createVm, openConsole, readSerialLog, redeemConsoleToken, type TActor } from "@carve/core";
import { CONSOLE_TLS, domainName } from "@carve/protocol";
import { startFakeDisplay, type TFakeDisplay } from "../../apps/console/src/testing/fake-display.ts";
import { addConsoleHost } from "../lib/console/console-host.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

// libvirt's test driver runs no QEMU: with CARVE_CONSOLE_SOCKET_DIR the domain's display and serial
// port are UNIX sockets at paths the agent reads from the live XML, and this test listens there as
// QEMU would. (A short directory: UNIX socket paths are limited to 107 bytes.)
let stack: Stack;
let dev: TActor;
let sockets: string;
let vmId: string;
let domain: string;
const displays: TFakeDisplay[] = [];

/** Listens at `path` as a VM's display: answers `greeting`, and records what it receives. */
async function display(path: string, greeting: string): Promise<TFakeDisplay> {
  const started = await startFakeDisplay(greeting, path);
  displays.push(started);
  return started;
}

const userId = (actor: TActor): string => (actor.kind === "user" ? actor.userId : "");

beforeAll(async () => {
  sockets = await mkdtemp("/tmp/cc-");
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  await addConsoleHost(stack, admin, sockets);
  const created = await createVm(stack.core, dev, { name: "web-1", template: "tiny", offering: "small" });
  await stack.finish(dev, created.job.id);
  vmId = created.vm.id;
  domain = domainName(vmId);
}, 180_000);

afterAll(async () => {
  for (const started of displays) await started.close();
  await stack?.stop();
  if (sockets) await rm(sockets, { recursive: true, force: true });
});

describe("the console's byte path: core → agent (TLS-PSK) → the VM's display", () => {
  it("carries the graphical console both ways, and the session takes no second connection", async () => {
    const vnc = await display(join(sockets, `${domain}.vnc`), "RFB 003.008\n");
    const link = await openConsole(stack.core, dev, { vm: "web-1" });
    const redeemed = await redeemConsoleToken(stack.core, { token: link.token, client: { address: "127.0.0.1", userId: userId(dev) } });
    const stream = await attachConsole(stack.core, redeemed);
    let got = "";
    stream.on("data", (chunk: Buffer) => (got += chunk.toString()));
    stream.write("RFB 003.008\n");
    await until(async () => got === "RFB 003.008\n" && vnc.received().toString() === "RFB 003.008\n", 10_000, "bytes both ways");

    // The same session again (even with the right key, which never left core's memory): refused.
    const { consoleAddress } = await stack.core.db.host.findUniqueOrThrow({ where: { id: redeemed.hostId } });
    const port = Number(consoleAddress?.split(":").at(-1));
    const again = await new Promise<string>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, ...CONSOLE_TLS, checkServerIdentity: () => undefined, pskCallback: () => ({ identity: redeemed.sessionId, psk: randomBytes(32) }) });
      socket.on("secureConnect", () => resolve("accepted"));
      socket.on("error", () => resolve("refused"));
    });
    expect(again).toBe("refused");
    stream.destroy();
  });

  it("sends the serial log's tail first, then the live serial port", async () => {
    const logDir = join(stack.dir, "console");
    await mkdir(logDir, { recursive: true });
    await writeFile(join(logDir, `${domain}.log`), "SeaBIOS\nLinux version 6.1\nlogin: ");
    const serial = await display(join(sockets, `${domain}.serial`), "\r\nwelcome\r\n");
    const link = await openConsole(stack.core, dev, { vm: "web-1", kind: "serial" });
    const stream = await attachConsole(stack.core, await redeemConsoleToken(stack.core, { token: link.token, client: { address: "127.0.0.1", userId: userId(dev) } }));
    let got = "";
    stream.on("data", (chunk: Buffer) => (got += chunk.toString()));
    stream.write("root\r");
    await until(async () => got.includes("welcome") && serial.received().toString() === "root\r", 10_000, "the tail, then live bytes");
    expect(got).toBe("SeaBIOS\nLinux version 6.1\nlogin: \r\nwelcome\r\n");
    stream.destroy();
  });

  it("readSerialLog answers the log's last lines, for the owner only", async () => {
    const log = await readSerialLog(stack.core, dev, { vm: "web-1", lines: 2 });
    expect(log).toEqual({ vmName: "web-1", text: "Linux version 6.1\nlogin: ", truncated: true });
    const stranger = await createUser(stack.core, "eve", "User");
    await expect(readSerialLog(stack.core, stranger, { vm: "web-1" })).rejects.toMatchObject({ code: "VM_NOT_FOUND" });
  });
});
