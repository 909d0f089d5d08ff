import { chromium, type Browser } from "playwright-core";
import { startPortalService } from "../../../scripts/lib/portal-process.ts";
import { freePort } from "../stack/redis-server.ts";

export { buildPortal } from "../../../scripts/lib/portal-build.ts";

/** Chromium flags that work on this kind of machine (see TOOLCHAIN.md). */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export interface TPortal {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the built portal (`next start`, as `npm start` does: startPortalService) on a free
 * loopback port with `env`; resolves once it is ready.
 */
export async function startPortal(env: Record<string, string>, logFile: string): Promise<TPortal> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startPortalService({ host: "127.0.0.1", port, env: { NEXTAUTH_URL: url, ...env }, logFile });
  return { url, stop: () => service.stop() };
}

/** Debian's Chromium driven by playwright-core (never a downloaded browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}
