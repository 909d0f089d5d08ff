import { parseArgs } from "node:util";
import { doctorCommand } from "./commands/doctor.ts";
import { JoinRefused, joinCommand, joinSummary } from "./commands/join.ts";
import { runCommand } from "./commands/run.ts";
import { joinDefaults } from "./env.ts";

const USAGE = `usage: carve-agent [run] [--config PATH]          start the agent (the default; runs the doctor first)
       carve-agent join --token TOKEN (or CARVE_JOIN_TOKEN) [--redis URL] [--uri URI] [--prefix P] [--config PATH] [--data-dir DIR] [--timeout SEC]
       carve-agent doctor [--config PATH] [--json]     check what the agent needs; exit 1 on a failure`;

/** `carve-agent` (bin/carve-agent.js, and `npm start -w @carve/agent` for `run`). */
async function main(argv: string[]): Promise<number> {
  const command = argv[0] && !argv[0].startsWith("-") ? argv[0] : "run";
  const rest = command === argv[0] ? argv.slice(1) : argv;
  let values;
  try {
    values = parseArgs({
      args: rest,
      options: {
        config: { type: "string" }, json: { type: "boolean", default: false }, token: { type: "string" }, redis: { type: "string" },
        uri: { type: "string" }, prefix: { type: "string" }, timeout: { type: "string" }, help: { type: "boolean", short: "h" }, "data-dir": { type: "string" },
      }, // prettier-ignore
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === "run") {
    await runCommand({ config: values.config });
    return -1; // keeps running; exits on a signal
  }
  if (command === "doctor") return doctorCommand({ config: values.config, json: values.json ?? false });
  if (command !== "join") {
    process.stderr.write(`unknown command '${command}'\n${USAGE}\n`);
    return 64;
  }
  const defaults = joinDefaults();
  const flags = {
    // CARVE_JOIN_TOKEN keeps the token out of the process list (argv) of the host.
    token: values.token ?? defaults.token ?? "",
    redisUrl: values.redis ?? defaults.redisUrl ?? "redis://127.0.0.1:6379",
    uri: values.uri ?? defaults.uri ?? "qemu:///system",
    prefix: values.prefix ?? defaults.prefix ?? "bull",
    config: values.config ?? defaults.config,
    dataDir: values["data-dir"] ?? defaults.dataDir,
    timeoutSec: Number(values.timeout ?? "30"),
  };
  if (!flags.token || !Number.isFinite(flags.timeoutSec) || flags.timeoutSec <= 0) {
    process.stderr.write(`carve-agent join needs --token (printed by 'carve host add' or 'carve host join-token') and a positive --timeout\n${USAGE}\n`);
    return 64;
  }
  try {
    const grant = await joinCommand(flags);
    process.stdout.write(values.json ? `${JSON.stringify({ ...grant, credential: undefined, config: flags.config }, null, 2)}\n` : `${joinSummary(grant, flags).join("\n")}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof JoinRefused)) throw error;
    process.stderr.write(`carve-agent join: ${error.message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
