// `npm run test:e2e [-- --lane NAME …] [vitest arguments]`: test/'s multi-process suites, all of them
// or some lanes. A lane is one of the groups below or any folder of test/ (`--lane slack`).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const TEST_DIR = join(import.meta.dirname, "..", "test");

/** Every test file of test/, relative to it ("slack/lifecycle.test.ts"). */
const FILES = readdirSync(TEST_DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".test.ts") && !f.startsWith("node_modules"))
  .sort();
const under = (...prefixes: string[]) => FILES.filter((f) => prefixes.some((p) => f === p || f.startsWith(`${p}/`)));

/** In `npm run test:unit`: they need no service. */
const UNIT = under("lib", "house");
// The groups follow from what a suite imports, so a new file lands in its lane by itself.
const uses = (f: string, lib: string) => readFileSync(join(TEST_DIR, f), "utf8").includes(`lib/${lib}/`);
/** As root: libvirtd and QEMU under TCG (test/lib/hypervisor), guests that boot. */
const REAL_HYPERVISOR = FILES.filter((f) => uses(f, "hypervisor"));
/** Suites that start the portal (test/lib/portal: `next build`, then HTTP and Chromium). */
const BROWSER = FILES.filter((f) => !REAL_HYPERVISOR.includes(f) && uses(f, "portal"));

const GROUPS: Record<string, { about: string; files: string[] }> = {
  stack: { about: "PostgreSQL, Redis and Carve's processes on libvirt's test driver, no browser", files: FILES.filter((f) => ![...UNIT, ...REAL_HYPERVISOR, ...BROWSER].includes(f)) },
  browser: { about: "the suites that start the portal (next build) and drive it over HTTP and in Chromium", files: BROWSER },
  "real-hypervisor": { about: "as root, libvirtd + QEMU under TCG: real-hypervisor/, hosts/join, reconcile/real-host, templates/registry", files: REAL_HYPERVISOR },
};

const lanes: string[] = [];
const rest: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? "";
  if (arg === "--lane") lanes.push(...(args[++i] ?? "").split(","));
  else if (arg.startsWith("--lane=")) lanes.push(...arg.slice("--lane=".length).split(","));
  else rest.push(arg);
}

const files: string[] = [];
for (const lane of lanes) {
  const chosen = GROUPS[lane]?.files ?? under(lane);
  if (chosen.length === 0) {
    const folders = [...new Set(FILES.map((f) => f.split("/")[0] ?? ""))].filter((f) => !["lib", "house"].includes(f));
    console.error(`test:e2e: no lane '${lane}'. Lanes: ${Object.entries(GROUPS).map(([name, g]) => `${name} (${g.about})`).join("; ")}; or a folder of test/: ${folders.join(", ")}.`);
    process.exit(2);
  }
  files.push(...chosen);
}

// No lane: every suite of test/, as `npm test` runs them. Files as vitest filters: exact paths.
const run = spawnSync("npx", ["vitest", "run", ...new Set(files), ...rest], { cwd: TEST_DIR, stdio: "inherit" });
process.exit(run.status ?? 1);
