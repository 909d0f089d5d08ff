// Issue 18's other front doors against a real agent on libvirt's test driver whose serial port is a
// UNIX socket this test listens on (as QEMU): `carve vm console NAME --serial` and `carve vm log NAME`
// on the management server, GET /api/v1/vms/{id}/serial-log as its OpenAPI document says, and the
// VM page's Serial log panel in Chromium.
import { randomBytes } from "node:crypto";
import { appendFile, mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createApiKey, createLocalUser, createVm, stopVm, withIdentity, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCarve, spawnCarve } from "../../apps/cli/src/testing/run-carve.ts";
import { startFakeDisplay, type TFakeDisplay } from "../../apps/console/src/testing/fake-display.ts";
import { apiClient } from "../lib/portal/api-client.ts";
import { startPortalRun, type TPortalRun } from "../lib/portal/portal-session.ts";
import { addConsoleHost } from "../lib/console/console-host.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let dev: TActor;
let sockets: string;
let serial: TFakeDisplay;
let run: TPortalRun;
let logFile: string;
let vmId: string;
const keys = { dev: "", eve: "" };
const DEV = { username: "dev", password: "dev-has-a-long-password-1" };

const LOG = "SeaBIOS\nLinux version 6.1\nlogin: ";
const GREETING = "\r\nwelcome\r\n";
/** python3's pty module: runs the command on a pseudo-terminal, relaying our pipes to it. */
const ON_A_PTY = ["python3", "-c", "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))"];

/** A `carve` conversation: what it printed so far, and its exit code once it exited. */
async function converse(args: string[], wrap: string[] = []) {
  const child: ChildProcessWithoutNullStreams = await spawnCarve({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix }, args, wrap);
  const seen = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (seen.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (seen.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, seen, exited };
}

beforeAll(async () => {
  sockets = await mkdtemp("/tmp/cc-");
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  const secretKey = randomBytes(32);
  const identity = withIdentity(stack.core, { secretKey });
  const user = await createLocalUser(identity, admin, { ...DEV, role: "User" });
  dev = { kind: "user", userId: user.id, username: DEV.username, role: "User", via: "cli" };
  keys.dev = (await createApiKey(identity, dev, { name: "laptop", scope: "Read" })).key;
  keys.eve = (await createApiKey(identity, await createUser(stack.core, "eve", "User"), { name: "laptop", scope: "Read" })).key;
  await stack.startController();
  await addConsoleHost(stack, admin, sockets);
  const created = await createVm(stack.core, dev, { name: "web-1", template: "tiny", offering: "small" });
  await stack.finish(dev, created.job.id);
  vmId = created.vm.id;
  const domain = domainName(vmId);
  const logDir = join(stack.dir, "console");
  await mkdir(logDir, { recursive: true });
  logFile = join(logDir, `${domain}.log`);
  await writeFile(logFile, LOG);
  serial = await startFakeDisplay(GREETING, join(sockets, `${domain}.serial`));
  run = await startPortalRun(stack, secretKey);
}, 600_000);

afterAll(async () => {
  await run?.close();
  await serial?.close();
  await stack?.stop();
  if (sockets) await rm(sockets, { recursive: true, force: true });
});

describe("carve vm console --serial: this terminal on the VM's serial port", () => {
  it("from a pipe: the log's tail then live bytes on stdout, typed bytes to the guest, Ctrl-] detaches with exit code 0", async () => {
    const { child, seen, exited } = await converse(["vm", "console", "web-1", "--serial"]);
    await until(async () => seen.stdout.includes("welcome"), 15_000, "the console's first bytes");
    expect(seen.stderr).toBe("Connected to the serial console of web-1. Escape character is ^]\n");
    child.stdin.write("uname -a\r");
    await until(async () => serial.received().toString() === "uname -a\r", 10_000, "the typed line at the serial port");
    child.stdin.write("\x1d");
    expect(await exited).toBe(0);
    // stdout is the console's bytes only (the words are on stderr), so a script can keep them.
    expect(seen.stdout).toBe(LOG + GREETING);
    expect(seen.stderr).toContain("Detached from the serial console of web-1.");
    expect(serial.received().toString()).toBe("uname -a\r"); // the escape character is not sent
    const event = await stack.core.db.event.findFirst({ where: { type: "console.connected" }, orderBy: { id: "desc" } });
    expect(event?.message).toMatch(/^operator connected to the serial console of web-1 on host-1 from carve CLI, /);
  });

  it("on a terminal: raw mode, so Ctrl-C and a bare carriage return reach the guest, and Ctrl-] still detaches", async () => {
    const { child, seen, exited } = await converse(["vm", "console", "web-1", "--serial"], ON_A_PTY);
    await until(async () => seen.stdout.includes("welcome"), 15_000, "the console's first bytes");
    expect(seen.stdout).toContain("Escape character is ^]");
    // A cooked terminal would turn \r into \n, hold the line until Enter and kill carve on Ctrl-C.
    child.stdin.write("root\r\x03");
    await until(async () => serial.received().toString() === "root\r\x03", 10_000, "raw keys at the serial port");
    child.stdin.write("\x1d");
    expect(await exited).toBe(0);
    expect(seen.stdout).toContain("Detached from the serial console of web-1.");
  });

  it("carve vm log prints the serial log's last lines", async () => {
    const log = await runCarve({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix }, "vm", "log", "web-1", "--lines", "2");
    expect(log).toMatchObject({ code: 0, stdout: "(earlier lines of web-1's serial log not shown)\nLinux version 6.1\nlogin: \n" });
  });

  it("GET /api/v1/vms/{id}/serial-log answers as its OpenAPI document says, and refuses bad input and other users' VMs", async () => {
    const doc = (await (await fetch(`${run.portal.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
    const op = doc.paths["/api/v1/vms/{id}/serial-log"]?.["get"];
    expect(op?.responses["503"]).toBeDefined();
    const schema = doc.components.schemas[String(op?.responses["200"].content["application/json"].schema.$ref).split("/").at(-1) ?? ""];
    const asDev = apiClient(run.portal.url, keys.dev);
    const answer = await asDev("GET", `/api/v1/vms/${vmId}/serial-log?lines=2`);
    expect(answer).toEqual({ status: 200, body: { vmName: "web-1", text: "Linux version 6.1\nlogin: ", truncated: true } });
    expect(Object.keys(answer.body).sort()).toEqual([...schema.required].sort());
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(answer.body).sort());
    expect(await asDev("GET", `/api/v1/vms/${vmId}/serial-log?lines=0`)).toMatchObject({ status: 400, body: { code: "INVALID_INPUT", fields: [{ field: "lines" }] } });
    expect(await apiClient(run.portal.url, keys.eve)("GET", `/api/v1/vms/${vmId}/serial-log`)).toMatchObject({ status: 404, body: { code: "VM_NOT_FOUND" } });
  });

  it("the VM page shows the serial log's last lines, and Refresh reads it again", async () => {
    const { context, page } = await run.signIn(DEV.username, DEV.password);
    await run.visit(page, `/vms/${vmId}`, "vm-detail");
    const log = page.getByLabel("Serial log of web-1", { exact: true });
    await log.waitFor();
    expect(await log.textContent()).toBe(LOG);
    await appendFile(logFile, "root\nwelcome to web-1\n");
    await page.getByRole("button", { name: "Refresh the serial log of web-1" }).click();
    await expect.poll(() => log.textContent(), { timeout: 15_000 }).toBe(`${LOG}root\nwelcome to web-1`);
    await run.screenshot(page, "vm-serial-log.png");
    await context.close();
  });

  it("ends by itself when the VM stops, saying why", async () => {
    const { seen, exited } = await converse(["vm", "console", "web-1", "--serial"]);
    await until(async () => seen.stdout.includes("welcome"), 15_000, "the console's first bytes");
    await stack.finish(dev, (await stopVm(stack.core, dev, { vm: "web-1", force: true })).id);
    expect(await exited).toBe(0);
    expect(seen.stderr).toMatch(/The serial console of web-1 ended: .*web-1 .*Stopped/);
  });

  it("is refused in remote mode, saying to use the link in a browser or run it on the server", async () => {
    const config = await mkdtemp(join(stack.dir, "remote-"));
    await mkdir(join(config, "carve"), { recursive: true });
    await writeFile(join(config, "carve", "credentials.json"), JSON.stringify({ url: "https://carve.example.com", key: "carve_unused" }), { mode: 0o600 });
    const remote = await runCarve({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix, configHome: config }, "vm", "console", "web-1", "--serial");
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain("'carve vm console --serial' works only on the management server, and this CLI is logged in to https://carve.example.com.");
    expect(remote.stderr).toContain("'carve vm console web-1 --serial --link' prints its link");
  });
});
