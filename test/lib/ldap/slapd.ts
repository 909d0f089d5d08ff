import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTool } from "./run-tool.ts";
import { AD_LIKE_SCHEMA, slapdConf } from "./slapd-conf.ts";
import type { TTestPki } from "./certs.ts";

export const BASE_DN = "dc=carve,dc=test";
export const ROOT_DN = `cn=admin,${BASE_DN}`;
const ROOT_PASSWORD = "root-secret";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

/**
 * A throwaway OpenLDAP server for one test file: its own slapd.conf, mdb database and ports on
 * loopback, the memberof overlay on, optionally LDAPS and StartTLS with a test PKI. Seed it
 * with `add` (ldapadd, so memberOf is maintained); `stop` kills it and removes its files.
 */
export class TestSlapd {
  private child: ChildProcess | null = null;
  /** Milliseconds from spawn until the server answered its first search. */
  startMs = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly ldapsPort: number | null,
  ) {}

  static async start(options: { pki?: TTestPki } = {}): Promise<TestSlapd> {
    const dir = mkdtempSync(join(tmpdir(), "carve-slapd-"));
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "ad-like.schema"), AD_LIKE_SCHEMA);
    writeFileSync(join(dir, "slapd.conf"), slapdConf({ dir, baseDn: BASE_DN, rootDn: ROOT_DN, rootPassword: ROOT_PASSWORD, pki: options.pki }));
    const slapd = new TestSlapd(dir, await freePort(), options.pki ? await freePort() : null);
    await slapd.restart();
    return slapd;
  }

  /** Plain LDAP (also where StartTLS is offered when the server has a PKI). */
  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  get ldapsUrl(): string {
    if (this.ldapsPort === null) throw new Error("this test slapd was started without a PKI");
    return `ldaps://127.0.0.1:${this.ldapsPort}`;
  }

  /** Starts slapd (again) on the same ports and data; resolves when it answers a root DSE search. */
  async restart(): Promise<void> {
    const started = performance.now();
    const urls = [`ldap://127.0.0.1:${this.port}/`, ...(this.ldapsPort ? [`ldaps://127.0.0.1:${this.ldapsPort}/`] : [])];
    let stderr = "";
    const child = spawn("slapd", ["-f", join(this.dir, "slapd.conf"), "-h", urls.join(" "), "-d", "0"], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}) while starting: ${stderr.trim()}`);
      const up = await runTool("ldapsearch", ["-x", "-H", this.url, "-b", "", "-s", "base", "-LLL", "1.1"]).then(() => true, () => false);
      if (up) break;
      if (Date.now() > deadline) throw new Error(`slapd on port ${this.port} did not answer within 10 s: ${stderr.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.startMs = performance.now() - started;
  }

  /** Adds entries (LDIF) as the root DN, through the server so overlays see them. */
  async add(ldif: string): Promise<void> {
    await runTool("ldapadd", ["-x", "-H", this.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD], ldif);
  }

  /** Applies an LDIF change record (changetype: modify / delete …) as the root DN. */
  async modify(ldif: string): Promise<void> {
    await runTool("ldapmodify", ["-x", "-H", this.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD], ldif);
  }

  /** Searches as the root DN; returns LDIF (for the test's own checks). */
  async search(filter: string, ...attributes: string[]): Promise<string> {
    return runTool("ldapsearch", ["-x", "-LLL", "-H", this.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, "-b", BASE_DN, filter, ...attributes]);
  }

  /** Stops the server (it can be restarted on the same ports). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
