import type { TMaintenancePlan } from "@carve/core";
import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import type { TJobSummary } from "../client/carve-client.ts";
import { withClient } from "../session.ts";
import { followJobWith } from "./wait.ts";

/** " in 2.4 s": the migration's own duration, from the job (the REST API's) or its result (local). */
function tookSeconds(job: TJobSummary): string {
  const result = typeof job.result === "object" && job.result !== null ? (job.result as { durationMs?: unknown }) : {};
  const ms = job.durationMs ?? result.durationMs;
  return typeof ms === "number" ? ` in ${(ms / 1000).toFixed(1)} s` : "";
}

const planLines = (plan: TMaintenancePlan) => [
  plan.message,
  ...table(
    ["VM", "STATE", "MOVE", "TARGET", "STORAGE MOTION", "BLOCKER"],
    plan.moves.map((m) => [
      m.vm.name,
      m.vm.state,
      m.kind,
      m.target?.name,
      m.storageMotion.length > 0 ? m.storageMotion.map((s) => `${s.sizeGiB} GiB from ${s.pool}`).join(", ") : null,
      m.blocker,
    ]),
  ),
];

/**
 * `carve vm migrate|migrate-cancel`, `carve host maintenance plan|start|cancel` and `carve settings
 * migration`: live migration and host maintenance. Registered after the `vm`, `host` and `settings`
 * commands, which it extends.
 */
export function registerMigrationCommands(program: Command, out: () => TOutput): void {
  const vm = program.commands.find((c) => c.name() === "vm") ?? program.command("vm").description("create and manage VMs");
  vm.command("migrate <vm>")
    .description("move a VM to another host: a running one live-migrates, a stopped one moves cold (local disks are copied along either way); admins")
    .option("--host <host>", "the target host (default: the one placement picks)")
    .option("--wait", "wait until the VM runs on the target")
    .option("--timeout <seconds>", "how long --wait waits", "3600")
    .action(async (ref: string, o: { host?: string; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const job = await client.migrateVm(ref, o.host);
        out().progress(`${job.kind === "vm.migrate" ? "live migration" : "cold move"} of ${ref} requested; job ${job.id}`);
        const done = o.wait ? await followJobWith(client.waitForJob, job.id, out(), Number(o.timeout)) : await client.getJob(job.id);
        out().result({ job: done }, () => [`job ${done.id} ${done.kind} ${done.state}${done.state === "Succeeded" ? `: ${ref} migrated${tookSeconds(done)}` : ""}`]);
      }),
    );
  vm.command("migrate-cancel <vm>")
    .description("abort a VM's live migration; it keeps running where it was")
    .action(async (ref: string) =>
      withClient(async (client) => {
        const job = await client.cancelVmMigration(ref);
        out().result({ job }, () => [`cancel of job ${job.id} requested: ${ref} keeps running on its host`]);
      }),
    );

  const host = program.commands.find((c) => c.name() === "host") ?? program.command("host").description("hypervisor hosts");
  const maintenance = host.command("maintenance").description("move every VM off a host, then keep it out of service");
  maintenance
    .command("plan <host>")
    .description("dry run: each VM, where it would go, which need storage motion, and what blocks")
    .action(async (ref: string) =>
      withClient(async (client) => {
        const plan = await client.planHostMaintenance(ref);
        out().result(plan, () => planLines(plan));
      }),
    );
  maintenance
    .command("start <host>")
    .description("PrepareForMaintenance: move the VMs away (a job), then Maintenance")
    .option("--wait", "wait until every VM has left and the host is in Maintenance")
    .option("--timeout <seconds>", "how long --wait waits", "7200")
    .action(async (ref: string, o: { wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const { job, plan } = await client.startHostMaintenance(ref);
        out().progress(`host ${ref} is preparing for maintenance; job ${job.id}`);
        const done = o.wait ? await followJobWith(client.waitForJob, job.id, out(), Number(o.timeout)) : job;
        out().result({ job: done, plan }, () => [...planLines(plan), `job ${done.id} ${done.kind} ${done.state}${done.state === "Succeeded" ? `: ${ref} is in Maintenance` : ""}`]);
      }),
    );
  maintenance
    .command("cancel <host>")
    .description("return the host to service (Up); moves not yet done are stopped")
    .action(async (ref: string) =>
      withClient(async (client) => {
        const r = await client.cancelHostMaintenance(ref);
        out().result(r, () => [`host ${r.host.name} is ${r.host.state}${r.abortedMoves > 0 ? `; ${r.abortedMoves} live migration(s) asked to abort` : ""}`]);
      }),
    );

  const settings = program.commands.find((c) => c.name() === "settings") ?? program.command("settings").description("Carve settings");
  settings
    .command("migration")
    .description("live migration: the timeout after which a migration is aborted (the VM stays on its source)")
    .option("--timeout <seconds>", "e.g. 1800", Number)
    .action(async (o: { timeout?: number }) =>
      withClient(async (client) => {
        const s = await client.changeSettings("migration", { timeoutSec: o.timeout });
        out().result(s, () => [`live migrations time out after ${s.timeoutSec} s`]);
      }),
    );
}
