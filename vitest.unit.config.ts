import { defineConfig } from "vitest/config";
import { carveProjects } from "./vitest.shared.ts";

// `npm run test:unit`: every test that needs no PostgreSQL, Redis, libvirt or browser, in one run.
// Besides each package's unit tests, test/'s own helpers and the import plan's check (it runs
// dependency-cruiser on throwaway trees).
export default defineConfig({
  test: {
    projects: [
      ...carveProjects("unit"),
      { test: { name: "e2e-helpers", root: "test", include: ["lib/**/*.test.ts", "house/**/*.test.ts"], isolate: false, testTimeout: 60_000 } },
    ],
  },
});
