#!/usr/bin/env node
// The `carve-agent` command: loads the TypeScript sources through tsx, then runs the agent's CLI.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
