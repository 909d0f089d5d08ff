import { carveTestConfig } from "../../vitest.shared.ts";

// Two files at a time even on 2 cores (vitest's default is one per core but one): with the command
// tree run in process, these tests mostly wait for PostgreSQL, each file on its own database.
export default carveTestConfig(import.meta.dirname, { maxWorkers: 2 });
