import { type Command, InvalidArgumentError } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { followJobWith } from "./wait.ts";

const OUTCOME: Record<string, string> = {
  restarting: "restarting",
  moving: "moving (stopped)",
  lost: "LOST",
  stopped: "stopped here",
  error: "error",
  busy: "busy",
};

/**
 * `carve host declare-dead`, `carve vm recreate` and `carve settings fencing` (issue 19): retiring a
 * host that is gone for good. Registered after the `host`, `vm` and `settings` commands it extends.
 */
export function registerDeadHostCommands(program: Command, out: () => TOutput): void {
  const host = program.commands.find((c) => c.name() === "host") ?? program.command("host").description("hypervisor hosts");
  host.command("declare-dead <host>")
    .description("declare a silent host that is powered off for good dead: VMs on shared disks restart elsewhere, VMs with a disk on it become Lost; admins")
    .requiredOption("--confirm <host>", "the host's name again: your word that it is powered off (the fencing command, if set, runs first)")
    .option("--wait", "wait for the restarts")
    .option("--timeout <seconds>", "how long --wait waits for each restart", "600")
    .action(async (ref: string, o: { confirm: string; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const d = await client.declareHostDead(ref, o.confirm);
        out().progress(`host ${d.host.name} is Dead${d.fenced ? " (fenced)" : ""}; ${d.jobs.length} VM(s) restarting elsewhere`);
        const jobs = [];
        for (const job of d.jobs) jobs.push(o.wait ? await followJobWith(client.waitForJob, job.id, out(), Number(o.timeout)) : job);
        out().result({ ...d, jobs }, () => [
          ...table(["VM", "OWNER", "OUTCOME", "HOST", "WHY"], d.vms.map((v) => [v.name, v.owner, OUTCOME[v.outcome] ?? v.outcome, v.host ?? "-", v.reason])),
          `Next: destroy or re-create its Lost VMs ('carve vm destroy NAME', 'carve vm recreate NAME'), then 'carve host remove ${d.host.name}'.`,
        ]);
      }),
    );

  const vm = program.commands.find((c) => c.name() === "vm") ?? program.command("vm").description("create and manage VMs");
  vm.command("recreate <vm>")
    .description("re-create a Lost VM (its host was declared dead with its disks) from its template, with the same name and address")
    .option("--wait", "wait until the VM is Running")
    .option("--timeout <seconds>", "how long --wait waits", "600")
    .action(async (ref: string, o: { wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const { vm: created, job } = await client.recreateVm(ref);
        out().progress(`VM ${created.name} (${created.id}) is being re-created; job ${job.id}`);
        const done = o.wait ? await followJobWith(client.waitForJob, job.id, out(), Number(o.timeout)) : job;
        out().result({ vm: created, job: done }, () => [`VM ${created.name} re-created (${created.id}); job ${done.id} ${done.state}`]);
      }),
    );

  const settings = program.commands.find((c) => c.name() === "settings") ?? program.command("settings").description("Carve settings");
  settings
    .command("fencing")
    .description("the command run before a host is declared dead (e.g. an IPMI power-off); the host's name and address are appended, and it must exit 0")
    .option("--command <json>", 'the program (absolute path) and its first arguments as a JSON array, e.g. \'["/usr/local/sbin/bmc-off", "--lan"]\'; run without a shell', argvOf)
    .option("--none", "remove the fencing command")
    .option("--timeout <seconds>", "how long it may run", Number)
    .action(async (o: { command?: string[]; none?: boolean; timeout?: number }) =>
      withClient(async (client) => {
        const s = await client.changeSettings("fencing", { command: o.none ? [] : o.command, timeoutSec: o.timeout });
        out().result(s, () => [s.command.length > 0 ? `fencing command: ${JSON.stringify(s.command)} + host name + address, timeout ${s.timeoutSec} s` : "no fencing command: declaring a host dead relies on the admin's confirmation alone"]);
      }),
    );
}

/** `--command`'s JSON array: an argv is data, never a line for a shell to split. */
function argvOf(value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) throw new InvalidArgumentError('must be a JSON array of strings, e.g. \'["/usr/local/sbin/bmc-off", "--lan"]\'');
  return parsed;
}
