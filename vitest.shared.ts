import { resolve } from "node:path";
import { defineConfig, type ViteUserConfig } from "vitest/config";

/**
 * The test settings every package shares: generous timeouts (real services), and a JSON report
 * per package under var/test-results that scripts/test-summary.ts adds up for `npm test`.
 */
export function carveTestConfig(dir: string, test: NonNullable<ViteUserConfig["test"]> = {}): ViteUserConfig {
  const name = dir.split("/").slice(-2).join("-");
  return defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 120_000,
      reporters: ["default", "json"],
      outputFile: { json: resolve(import.meta.dirname, "var/test-results", `${name}.json`) },
      ...test,
    },
  });
}
