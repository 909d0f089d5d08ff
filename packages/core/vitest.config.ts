import { carveTestConfig } from "../../vitest.shared.ts";

// Two files at a time even on two cores (vitest's default leaves one core idle): these tests mostly
// wait for PostgreSQL, each on its own throwaway database. 171 s → 122 s on the 2-core machine.
export default carveTestConfig(import.meta.dirname, { maxWorkers: 2 });
