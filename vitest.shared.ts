import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type ViteUserConfig } from "vitest/config";

/**
 * The test settings every package shares: generous timeouts (real services), and a JSON report
 * per package under var/test-results that scripts/test-summary.ts adds up for `npm test`.
 */
export function carveTestConfig(dir: string, test: NonNullable<ViteUserConfig["test"]> = {}): ViteUserConfig {
  const { name } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string };
  return defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 120_000,
      reporters: ["default", "json"],
      outputFile: { json: resolve(import.meta.dirname, "var/test-results", `${name.replace(/^@/, "").replace(/[^A-Za-z0-9_-]+/g, "-")}.json`) },
      ...test,
    },
  });
}
