import { carveTestConfig } from "../vitest.shared.ts";

export default carveTestConfig(import.meta.dirname, { include: ["src/**/*.test.ts"], testTimeout: 30_000 });
