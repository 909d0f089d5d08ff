import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type ViteUserConfig } from "vitest/config";

/**
 * The test settings every package shares: files not isolated, generous timeouts (real services),
 * and a JSON report per package under var/test-results that scripts/test-summary.ts adds up for
 * `npm test`.
 */
export function carveTestConfig(dir: string, test: NonNullable<ViteUserConfig["test"]> = {}): ViteUserConfig {
  const { name } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string };
  return defineConfig({
    test: {
      // A package's test files share one module graph per worker instead of each importing (and the
      // JIT compiling) core afresh: core's files 152 s → 73 s, the agent's 33 s → 17 s. Every file
      // makes its own database, queue prefix and processes, so no state leaks between them.
      isolate: false,
      testTimeout: 60_000,
      hookTimeout: 120_000,
      reporters: ["default", "json"],
      outputFile: { json: resolve(import.meta.dirname, "var/test-results", `${name.replace(/^@/, "").replace(/[^A-Za-z0-9_-]+/g, "-")}.json`) },
      ...test,
    },
  });
}

/** The packages with tests next to their code (test/ holds the multi-process suites: `npm run test:e2e`). */
const PACKAGES = ["packages/protocol", "packages/db", "packages/core", "agent", "apps/cli", "apps/console", "apps/controller", "apps/portal", "apps/slack"];

/**
 * One vitest project per package for a lane of the daily loop, run together in one vitest process
 * (vitest.unit.config.ts, vitest.integration.config.ts): unit tests are `src/**\/*.test.ts` that are
 * not `*.integration.test.ts` (those use PostgreSQL, Redis, slapd or libvirt's test driver).
 */
export function carveProjects(lane: "unit" | "integration"): NonNullable<NonNullable<ViteUserConfig["test"]>["projects"]> {
  return PACKAGES.map((dir) => ({
    test: {
      name: dir.replace(/^(packages|apps)\//, ""),
      root: resolve(import.meta.dirname, dir),
      include: [lane === "unit" ? "src/**/*.test.ts" : "src/**/*.integration.test.ts"],
      exclude: ["**/node_modules/**", ...(lane === "unit" ? ["**/*.integration.test.ts"] : [])],
      // As in each package's own run (carveTestConfig): files share one module graph per worker.
      isolate: false,
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  }));
}
