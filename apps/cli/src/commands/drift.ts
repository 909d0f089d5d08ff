import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { followJobWith } from "./wait.ts";

/** `carve drift list|destroy|ignore`: domains (and network entries, filters) the hosts have and Carve does not manage. */
export function registerDriftCommands(program: Command, out: () => TOutput): void {
  const drift = program.command("drift").description("domains on the hosts that Carve does not manage (found by reconciliation)");
  drift.command("list").description("drift that needs an admin (--all: also ignored and resolved)")
    .option("--all", "include ignored and resolved drift")
    .action(async (o: { all?: boolean }) =>
      withClient(async (client) => {
        const items = await client.listDrift(Boolean(o.all));
        out().result(items, () =>
          items.length === 0
            ? ["no drift: every domain on every host is a Carve VM's"]
            : [
                ...table(["ID", "HOST", "KIND", "NAME", "POWER", "STATE", "LAST SEEN"], items.map((d) => [d.id, d.host.name, d.kind, d.domainName, d.kind === "Domain" ? d.reportedState : null, d.state, new Date(d.lastSeenAt).toISOString()])),
                ...items.map((d) => `${d.id.slice(0, 8)}: ${d.note}`),
                "resolve with 'carve drift destroy <id>' (Carve-named domains and files, network entries and filters) or 'carve drift ignore <id>'; adopting a domain as a VM is not available yet",
              ],
        );
      }),
    );
  drift.command("destroy <id>").description("pull the plug on a drifting Carve-named domain and undefine it (its disks are kept), or remove a drifting network entry, filter or Carve-named file in a pool")
    .option("--timeout <seconds>", "how long to wait for the agent", "60")
    .action(async (id: string, o: { timeout: string }) =>
      withClient(async (client) => {
        const job = await followJobWith(client.waitForJob, (await client.destroyDrift(id)).id, out(), Number(o.timeout));
        out().result(job, () => [`drift ${id} destroyed on its host (job ${job.id}); the next reconciliation resolves it`]);
      }),
    );
  drift.command("ignore <id>").description("leave a drifting domain alone; it drops off 'drift list'")
    .action(async (id: string) =>
      withClient(async (client) => {
        const item = await client.ignoreDrift(id);
        out().result(item, () => [`drift ${item.domainName} ignored`]);
      }),
    );
}
