import type { Command } from "commander";
import type { TOutput } from "../output.ts";
import { withClient } from "../session.ts";

/** `carve settings log-level [LEVEL] [--process controller|agent|all]`: runtime log levels, no restart. */
export function registerLogLevelCommand(program: Command, out: () => TOutput): void {
  const settings = program.commands.find((c) => c.name() === "settings") ?? program.command("settings").description("Carve settings");
  settings.command("log-level [level]")
    .description("log level of the running controllers and agents: fatal|error|warn|info|debug|trace|silent, or default for their LOG_LEVEL (no level: show)")
    .option("--process <process>", "controller, agent or all", "all")
    .action(async (level: string | undefined, o: { process: string }) =>
      withClient(async (client) => {
        const levels = await client.changeSettings("log-level", { level, process: o.process });
        const shown = (value: string | null) => value ?? "LOG_LEVEL (default)";
        out().result(levels, () => [`controller: ${shown(levels.controller)}`, `agents: ${shown(levels.agent)}`]);
      }),
    );
}
