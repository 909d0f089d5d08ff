import type { Command } from "commander";
import type { TCarveClient, TVolumeSummary } from "../client/carve-client.ts";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { followJobWith } from "./wait.ts";

const VOLUME_HEADERS = ["NAME", "KIND", "SIZE", "STATE", "VM", "POOL", "OFFERING", "OWNER", "ID"];
const volumeRow = (v: TVolumeSummary) => [v.name, v.kind, `${v.sizeGiB} GiB`, v.state, v.vm?.name, `${v.pool.name} (${v.pool.scope.toLowerCase()}${v.pool.host ? ` on ${v.pool.host.name}` : ""})`, v.diskOffering?.name, v.owner.username, v.id];
const int = (value: string) => (/^\d+$/.test(value) ? Number(value) : Number.NaN);

interface TWaitOptions {
  wait?: boolean;
  timeout: string;
}

/** Prints the job, or with --wait follows it to its end. */
async function finish(client: TCarveClient, jobId: string, done: string, pending: string, o: TWaitOptions, out: TOutput): Promise<void> {
  const job = o.wait ? await followJobWith(client.waitForJob, jobId, out, Number(o.timeout)) : await client.getJob(jobId);
  out.result(job, () => [o.wait ? done : `${pending}: job ${jobId} ('carve job show ${jobId}', or --wait)`]);
}

/** `carve volume create|list|attach|detach|resize|delete`: data volumes (migrate: volume-migrate.ts). */
export function registerVolumeCommands(program: Command, out: () => TOutput): void {
  const volume = program.commands.find((c) => c.name() === "volume") ?? program.command("volume").description("data volumes");
  const waitOptions = (c: Command) => c.option("--wait", "wait until it is done").option("--timeout <seconds>", "how long --wait waits", "600");

  waitOptions(
    volume.command("create <name>")
      .description("create an empty data volume from a disk offering")
      .requiredOption("--disk-offering <offering>", "disk offering name or id ('carve disk-offering list')")
      .option("--size <GiB>", "size, for custom-size offerings")
      .option("--vm <vm>", "place it where this VM can attach it"),
  ).action(async (name: string, o: TWaitOptions & { diskOffering: string; size?: string; vm?: string }) =>
    withClient(async (client) => {
      const { volume: v, job } = await client.createVolume({ name, diskOffering: o.diskOffering, ...(o.size ? { sizeGiB: int(o.size) } : {}), ...(o.vm ? { vm: o.vm } : {}) });
      await finish(client, job.id, `volume ${v.name} (${v.id}) is Ready`, `volume ${v.name} (${v.id}) is being created`, o, out());
    }),
  );

  volume.command("list")
    .description("your volumes (admins: everyone's), newest first")
    .option("--vm <vm>", "only this VM's volumes")
    .option("--owner <username>", "only this user's volumes (admins)")
    .option("--kind <kind>", "Root or Data")
    .option("--limit <n>", "page size", "50")
    .option("--cursor <cursor>", "the next page, from a previous listing")
    .action(async (o: { vm?: string; owner?: string; kind?: string; limit: string; cursor?: string }) =>
      withClient(async (client) => {
        const page = await client.listVolumes({ ...o, limit: int(o.limit) });
        out().result(page, () => [...table(VOLUME_HEADERS, page.items.map(volumeRow)), ...(page.nextCursor ? [`more: carve volume list --cursor ${page.nextCursor}`] : [])]);
      }),
    );

  waitOptions(volume.command("attach <volume>").description("attach a data volume to one of your VMs (running or stopped)").requiredOption("--vm <vm>", "VM name or id")).action(
    async (ref: string, o: TWaitOptions & { vm: string }) =>
      withClient(async (client) => {
        const job = await client.volumeAction(ref, "attach", { vm: o.vm });
        await finish(client, job.id, `volume ${ref} is attached to ${o.vm}`, `attaching volume ${ref} to ${o.vm}`, o, out());
      }),
  );

  waitOptions(volume.command("detach <volume>").description("detach a data volume from its VM; the volume stays")).action(async (ref: string, o: TWaitOptions) =>
    withClient(async (client) => {
      const job = await client.volumeAction(ref, "detach");
      await finish(client, job.id, `volume ${ref} is detached`, `detaching volume ${ref}`, o, out());
    }),
  );

  waitOptions(volume.command("resize <volume>").description("grow a data volume (live when its VM runs)").requiredOption("--size <GiB>", "the new size in GiB")).action(
    async (ref: string, o: TWaitOptions & { size: string }) =>
      withClient(async (client) => {
        const job = await client.volumeAction(ref, "resize", { sizeGiB: int(o.size) });
        await finish(client, job.id, `volume ${ref} is ${o.size} GiB`, `growing volume ${ref} to ${o.size} GiB`, o, out());
      }),
  );

  waitOptions(volume.command("delete <volume>").description("delete a detached data volume and its data")).action(async (ref: string, o: TWaitOptions) =>
    withClient(async (client) => {
      const job = await client.volumeAction(ref, "delete");
      await finish(client, job.id, `volume ${ref} is deleted`, `deleting volume ${ref}`, o, out());
    }),
  );
}
