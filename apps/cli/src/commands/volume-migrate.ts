import type { Command } from "commander";
import type { TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { followJobWith } from "./wait.ts";

/** `carve volume migrate|migrate-cancel` and `carve settings storage`: storage migration between pools. */
export function registerVolumeMigrateCommands(program: Command, out: () => TOutput): void {
  const volume = program.commands.find((c) => c.name() === "volume") ?? program.command("volume").description("data volumes");
  volume
    .command("migrate <volume>")
    .description("move a detached volume to another storage pool (same or another host), verified by checksum")
    .requiredOption("--pool <pool>", "target pool name or id")
    .option("--wait", "wait until the copy is verified and the source deleted")
    .option("--timeout <seconds>", "how long --wait waits", "3600")
    .action(async (ref: string, o: { pool: string; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const { job } = await client.migrateVolume(ref, o.pool);
        const done = o.wait ? await followJobWith(client.waitForJob, job.id, out(), Number(o.timeout)) : job;
        out().result(done, () => [o.wait ? `volume ${ref} is now in pool ${o.pool} (job ${job.id})` : `moving volume ${ref} to pool ${o.pool}: job ${job.id} ('carve job show ${job.id}')`]);
      }),
    );
  volume
    .command("migrate-cancel <volume>")
    .description("stop a volume's storage migration; it stays in its source pool")
    .action(async (ref: string) =>
      withClient(async (client) => {
        const job = await client.cancelVolumeMigration(ref);
        out().result(job, () => [`cancel of job ${job.id} requested: volume ${ref} stays in its source pool`]);
      }),
    );

  const settings = program.commands.find((c) => c.name() === "settings") ?? program.command("settings").description("Carve settings");
  settings
    .command("storage")
    .description("storage-migration bandwidth cap per stream (MiB/s, 0 = unlimited)")
    .option("--migration-bandwidth <MiBps>", "e.g. 100", Number)
    .action(async (o: { migrationBandwidth?: number }) =>
      withClient(async (client) => {
        const s = await client.changeSettings("storage", { migrationBandwidthMiBps: o.migrationBandwidth });
        out().result(s, () => [`storage: migration bandwidth ${s.migrationBandwidthMiBps === 0 ? "unlimited" : `${s.migrationBandwidthMiBps} MiB/s`}`]);
      }),
    );
}
