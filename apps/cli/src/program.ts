import { Command, CommanderError } from "commander";
import { registerAdminCommands } from "./commands/admin.ts";
import { registerApiKeyCommands } from "./commands/apikey.ts";
import { registerAuditCommand } from "./commands/audit.ts";
import { registerAuthCommands } from "./commands/auth.ts";
import { registerDirectoryCommands } from "./commands/directory.ts";
import { registerDriftCommands } from "./commands/drift.ts";
import { registerInfraCommands } from "./commands/infra.ts";
import { registerLogLevelCommand } from "./commands/log-level.ts";
import { registerPlacementCommands } from "./commands/placement.ts";
import { registerTemplateCommands } from "./commands/template.ts";
import { registerSshKeyCommands } from "./commands/sshkey.ts";
import { registerUsageCommands } from "./commands/usage.ts";
import { registerUserCommands } from "./commands/user.ts";
import { registerVmCommands } from "./commands/vm.ts";
import { registerDeadHostCommands } from "./commands/dead-host.ts";
import { registerVolumeCommands } from "./commands/volume.ts";
import { registerDiskOfferingCommands } from "./commands/disk-offering.ts";
import { registerVolumeMigrateCommands } from "./commands/volume-migrate.ts";
import { registerMigrationCommands } from "./commands/migration.ts";
import { registerRemoteLoginCommands } from "./commands/remote-login.ts";
import { registerNetworkCommands } from "./commands/network.ts";
import { registerSecurityGroupCommands } from "./commands/security-group.ts";
import { cliIo, withIo, type TCliIo } from "./cli-io.ts";
import { createOutput, reportError } from "./output.ts";
import { setCommandName } from "./session.ts";

/**
 * The `carve` command tree, fresh for each run (commander keeps the parsed options on it). Every
 * command prints through the run's io (cli-io.ts).
 */
export function buildProgram(): Command {
  const program = new Command("carve")
    .description("Carve: self-service developer VMs")
    .option("--json", "print results as JSON")
    .exitOverride()
    // Help and usage mistakes go to the run's streams (captured when a test runs the CLI in process).
    .configureOutput({ writeOut: (text) => cliIo().stdout.write(text), writeErr: (text) => cliIo().stderr.write(text), outputError: (text, write) => write(text) });
  const out = () => createOutput(Boolean(program.opts<{ json?: boolean }>().json));
  // Names the command in the refusal of a local-only command in remote mode ("'carve pool add' works only…").
  program.hook("preAction", (_program, action) => {
    const names: string[] = [];
    for (let command: Command | null = action; command && command !== program; command = command.parent) names.unshift(command.name());
    setCommandName(names.join(" "));
  });
  registerRemoteLoginCommands(program, out);
  registerInfraCommands(program, out);
  registerDriftCommands(program, out);
  registerVmCommands(program, out);
  registerPlacementCommands(program, out);
  registerLogLevelCommand(program, out);
  registerTemplateCommands(program, out);
  registerAdminCommands(program, out);
  registerAuthCommands(program, out);
  registerUserCommands(program, out);
  registerApiKeyCommands(program, out);
  registerSshKeyCommands(program, out);
  registerDirectoryCommands(program, out);
  registerAuditCommand(program, out);
  registerUsageCommands(program, out);
  registerVolumeCommands(program, out);
  registerDiskOfferingCommands(program, out);
  registerNetworkCommands(program, out);
  // After every other registration: it adds to the `volume` and `settings` commands when they exist.
  registerVolumeMigrateCommands(program, out);
  registerMigrationCommands(program, out);
  // security groups (issue 17): adds to `vm` and `settings` too.
  registerSecurityGroupCommands(program, out);
  // day-2 (issue 19): adds to `host`, `vm` and `settings`.
  registerDeadHostCommands(program, out);
  return program;
}

/**
 * Runs `carve` with `argv` (the arguments after the command's name) on `io`, and returns its exit
 * code instead of setting the process's: 0, or 1 for a usage mistake or a refused command (the
 * message is on io.stderr).
 */
export function runCli(argv: string[], io: TCliIo): Promise<number> {
  // A dependency's deprecation notice is for Carve's developers, not for whoever runs carve: pg's
  // "client.query() when the client is already executing a query" (Prisma 7 loads a transaction's
  // relations at once on its one connection; pg queues them, correct until pg 9) ended volume commands.
  process.noDeprecation = true;
  return withIo(io, async () => {
    const program = buildProgram();
    try {
      await program.parseAsync(argv, { from: "user" });
      return 0;
    } catch (error) {
      // Help and version are not errors; a usage mistake is (commander printed the usage).
      if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
      return reportError(error, Boolean(program.opts<{ json?: boolean }>().json));
    }
  });
}
