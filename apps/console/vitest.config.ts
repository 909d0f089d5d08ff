import { carveTestConfig } from "../../vitest.shared.ts";

export default carveTestConfig(import.meta.dirname);
