import { defineConfig } from "vitest/config";

export default defineConfig({
  // Real PostgreSQL: each test builds or copies databases (template build ~0.3 s, copy ~0.2 s).
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
