import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rmdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openLogFile, REPO_ROOT } from "./service.ts";

export const PORTAL_DIR = join(REPO_ROOT, "apps", "portal");
export const NEXT_BIN = join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next");

/** What a portal build is made from: its own tree and the packages it bundles. */
const BUILD_INPUTS = [PORTAL_DIR, ...["core", "db", "protocol"].map((pkg) => join(REPO_ROOT, "packages", pkg, "src")), join(REPO_ROOT, "prisma", "schema.prisma"), join(REPO_ROOT, "package-lock.json")];
// Build outputs and the files `next build` itself rewrites are not sources.
const isSkipped = (name: string, isDirectory: boolean) => (isDirectory ? name.startsWith(".next") || name === "node_modules" || name === ".turbo" : name === "next-env.d.ts" || name === "tsconfig.json");
const STAMP = join(PORTAL_DIR, ".next", "carve-sources.sha256");
const LOCK = join(PORTAL_DIR, ".next-build.lock");

async function hashInto(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
  if (entries === null) {
    hash.update(path).update(await readFile(path));
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (isSkipped(entry.name, entry.isDirectory())) continue;
    if (entry.isDirectory() || entry.isFile()) await hashInto(hash, join(path, entry.name));
  }
}

async function sourcesHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const input of BUILD_INPUTS) await hashInto(hash, input);
  return hash.digest("hex");
}

/**
 * Runs `next build` for the portal unless the build in `.next` was made from exactly these sources
 * (so `npm start` never serves a stale portal, and a test run builds once for all its portal
 * suites). Resolves with how long the build took in ms, or null when the build was current;
 * rejects naming the log with the build's output.
 */
export async function buildPortal(logFile: string): Promise<number | null> {
  // Two processes building into .next at once would break each other's build. A lock older than
  // any build is a killed run's: take it over.
  while (!(await mkdir(LOCK).then(() => true, () => false))) {
    const age = await stat(LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > 10 * 60_000) await rmdir(LOCK).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  try {
    return await buildUnlessCurrent(logFile);
  } finally {
    await rmdir(LOCK);
  }
}

async function buildUnlessCurrent(logFile: string): Promise<number | null> {
  const sources = await sourcesHash();
  const built = await readFile(STAMP, "utf8").catch(() => null);
  const buildId = await readFile(join(PORTAL_DIR, ".next", "BUILD_ID"), "utf8").catch(() => null);
  if (built === sources && buildId !== null) return null;
  const started = performance.now();
  const log = openLogFile(logFile);
  const child = spawn(process.execPath, [NEXT_BIN, "build"], { cwd: PORTAL_DIR, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`next build failed (exit ${code}); see ${logFile}`);
  await writeFile(STAMP, sources);
  return performance.now() - started;
}
