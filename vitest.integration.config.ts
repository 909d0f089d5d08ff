import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { carveProjects } from "./vitest.shared.ts";

// `npm run test:integration`: every package's `*.integration.test.ts` (PostgreSQL and Redis on
// 127.0.0.1, slapd and libvirt's test driver started by the tests), in one run. Two files at a time
// even on 2 cores, as core's own run (packages/core/vitest.config.ts): they mostly wait for PostgreSQL.
export default defineConfig({ test: { projects: carveProjects("integration"), maxWorkers: Math.max(2, availableParallelism() - 1) } });
