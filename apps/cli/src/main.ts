import { processIo } from "./cli-io.ts";
import { runCli } from "./program.ts";

// The `carve` command (bin/carve.js): the process's arguments, environment and streams.
process.exitCode = await runCli(process.argv.slice(2), processIo());
