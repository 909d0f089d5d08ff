import { describeDiskSize } from "@carve/core";
import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

const int = (value: string) => (/^\d+$/.test(value) ? Number(value) : Number.NaN);
const list = (value: string, previous: string[] = []) => [...previous, value];

/** `carve disk-offering create|list|delete`: what data volumes users can ask for. */
export function registerDiskOfferingCommands(program: Command, out: () => TOutput): void {
  const offering = program.command("disk-offering").description("disk offerings (data volume sizes and storage)");
  offering.command("create <name>")
    .description("create a disk offering: a fixed --size, or a custom size between --min and --max")
    .option("--size <GiB>", "fixed size in GiB")
    .option("--min <GiB>", "smallest custom size")
    .option("--max <GiB>", "largest custom size")
    .option("--scope <scope>", "Local or Shared storage", "Shared")
    .option("--storage-tag <tag>", "a pool tag the volume needs (repeat)", list)
    .option("--description <text>", "free text")
    .action(async (name: string, o: { size?: string; min?: string; max?: string; scope: string; storageTag?: string[]; description?: string }) =>
      withClient(async (client) => {
        const d = await client.createDiskOffering({
          name,
          ...(o.size ? { sizeGiB: int(o.size) } : {}),
          ...(o.min ? { minSizeGiB: int(o.min) } : {}),
          ...(o.max ? { maxSizeGiB: int(o.max) } : {}),
          scope: o.scope,
          storageTags: o.storageTag ?? [],
          description: o.description,
        });
        out().result(d, () => [`disk offering ${d.name} created (${describeDiskSize(d)}, ${d.scope}; ${d.id})`]);
      }),
    );
  offering.command("list").description("active disk offerings").action(async () =>
    withClient(async (client) => {
      const offerings = await client.listDiskOfferings();
      out().result(offerings, () => table(["NAME", "SIZE", "SCOPE", "STORAGE TAGS", "ID"], offerings.map((d) => [d.name, describeDiskSize(d), d.scope, d.storageTags.join(","), d.id])));
    }),
  );
  offering.command("delete <offering>").description("delete a disk offering (retired instead while volumes use it)").action(async (ref: string) =>
    withClient(async (client) => {
      const d = await client.deleteDiskOffering(ref);
      out().result(d, () => [d.outcome === "deleted" ? `disk offering ${d.name} deleted` : `disk offering ${d.name} retired: no new volume can use it; ${d.volumes} volume(s) keep it`]);
    }),
  );
}
