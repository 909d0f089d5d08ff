import { availableParallelism } from "node:os";
import { carveTestConfig } from "../../vitest.shared.ts";

// At least two files at a time (vitest's default of one per core but one leaves one of two cores
// idle): these tests mostly wait for PostgreSQL, each on its own throwaway database. 171 s → 122 s
// on the 2-core machine, measured while each file still imported core afresh (see vitest.shared.ts).
export default carveTestConfig(import.meta.dirname, { maxWorkers: Math.max(2, availableParallelism() - 1) });
