// Shared setup for the browser suites: the built portal on a stack, Chromium, timed page visits,
// sign-in, screenshots, and the route tree read from the filesystem.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { REPO_ROOT } from "../../../scripts/lib/service.ts";
import type { Stack } from "../stack/stack.ts";
import { buildPortal, launchChromium, startPortal, type TPortal } from "./portal-server.ts";

/** Screenshots for people to look at (git-ignored: /var). */
export const SCREENSHOTS = join(REPO_ROOT, "var", "screenshots");
export const APP_ROOT = join(REPO_ROOT, "apps", "portal", "src", "app");

export interface TPortalRun {
  portal: TPortal;
  browser: Browser;
  /** First load of each named page, in ms. */
  loadTimes: Record<string, number>;
  /** Opens `path` and records how long the page took to load (first visit of each name kept). */
  visit(page: Page, path: string, name: string): ReturnType<Page["goto"]>;
  /**
   * Opens `path` and reloads it until `shows` holds, for state a page renders once at load (no live
   * updates) that the stack settles in the background; fails after `timeoutMs` saying `what`.
   */
  visitUntil(page: Page, path: string, name: string, shows: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  /** A new browser context signed in through the sign-in page; lands on /vms. */
  signIn(username: string, password: string): Promise<{ context: BrowserContext; page: Page }>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the portal (once per source tree: see buildPortal), starts it against `stack` with `secretKey`, and opens Chromium. Prints the build
 * time; `close` prints the page load times.
 */
export async function startPortalRun(stack: Stack, secretKey: Buffer, env: Record<string, string> = {}): Promise<TPortalRun> {
  const portal = await startStackPortal(stack, secretKey, env);
  const browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const loadTimes: Record<string, number> = {};
  const run: TPortalRun = {
    portal,
    browser,
    loadTimes,
    async visit(page, path, name) {
      const started = performance.now();
      const response = await page.goto(`${portal.url}${path}`, { waitUntil: "load" });
      loadTimes[name] ??= Math.round(performance.now() - started);
      return response;
    },
    async visitUntil(page, path, name, shows, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      await run.visit(page, path, name);
      while (!(await shows())) {
        if (Date.now() > deadline) throw new Error(`${path} did not show ${what} within ${timeoutMs} ms (reloaded until then)`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        await run.visit(page, path, name);
      }
    },
    async signIn(username, password) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await run.visit(page, "/signin", "sign-in");
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${portal.url}/vms`);
      return { context, page };
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
    },
    async close() {
      console.info(`page loads (ms): ${JSON.stringify(loadTimes)}`);
      await browser.close();
      await portal.stop();
    },
  };
  return run;
}

/** Builds the portal (once per source tree: see buildPortal) and starts it against `stack` with `secretKey` (no browser). */
export async function startStackPortal(stack: Stack, secretKey: Buffer, env: Record<string, string> = {}): Promise<TPortal> {
  const buildMs = await buildPortal(join(stack.dir, "next-build.log"));
  console.info(buildMs === null ? "next build: reused (sources unchanged)" : `next build: ${(buildMs / 1000).toFixed(1)} s`);
  return startPortal(
    { DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, CARVE_QUEUE_PREFIX: stack.prefix, CARVE_SECRET_KEY: secretKey.toString("hex"), NEXTAUTH_SECRET: randomBytes(32).toString("base64"), LOG_LEVEL: "warn", ...env },
    join(stack.dir, "portal.log"),
  );
}

/** A URL path for a route folder: `[id]` segments filled with `fill`, route groups `(x)` dropped. */
function routePath(folder: string, fill: string): string {
  const segments = folder.split(sep).filter((s) => s !== "" && !/^\(.*\)$/.test(s));
  return `/${segments.map((s) => (/^\[.*\]$/.test(s) ? fill : s)).join("/")}`;
}

/** Every page under `apps/portal/src/app/<under>`, as a URL path (dynamic segments filled with `fill`). */
export function pagePaths(under: string, fill: string): string[] {
  const root = join(APP_ROOT, under);
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => /(^|\/)page\.tsx$/.test(f))
    .map((f) => routePath(relative(APP_ROOT, join(root, f, "..")), fill))
    .sort();
}

/** Every route handler under `apps/portal/src/app/<under>` as { method, path } (methods read from its exports). */
export function apiRoutes(under: string, fill: string): { method: string; path: string }[] {
  const root = join(APP_ROOT, under);
  const files = (() => {
    try {
      return readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => /(^|\/)route\.ts$/.test(f));
    } catch {
      return [];
    }
  })();
  return files.flatMap((f) => {
    const path = routePath(relative(APP_ROOT, join(root, f, "..")), fill);
    const methods = [...readFileSync(join(root, f), "utf8").matchAll(/export (?:const|function|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1] ?? "");
    return methods.map((method) => ({ method, path }));
  });
}
