import { carveTestConfig } from "../../vitest.shared.ts";

// Real PostgreSQL: each test builds or copies databases (template build ~0.3 s, copy ~0.2 s).
export default carveTestConfig(import.meta.dirname);
