import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { NEXT_BIN, PORTAL_DIR } from "../../../scripts/lib/portal-build.ts";
import { freePort } from "../stack/redis-server.ts";

export { buildPortal } from "../../../scripts/lib/portal-build.ts";

/** Chromium flags that work on this kind of machine (see TOOLCHAIN.md). */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export interface TPortal {
  url: string;
  stop(): Promise<void>;
}

/** Starts the built portal (`next start`) on a free loopback port with `env`; resolves once it answers. */
export async function startPortal(env: Record<string, string>, logFile: string): Promise<TPortal> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(process.execPath, [NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: PORTAL_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NEXTAUTH_URL: url, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}; see ${logFile}`);
    const answered = await fetch(`${url}/api/v1/openapi.json`).then((r) => r.ok, () => false);
    if (answered) break;
    if (Date.now() > deadline) throw new Error(`the portal did not answer within 60 s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Debian's Chromium driven by playwright-core (never a downloaded browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}
