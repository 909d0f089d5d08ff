import { registerHostJoinCommands } from "./host-join.ts";
import { followJobWith } from "./wait.ts";
import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

const int = (value: string) => (/^\d+$/.test(value) ? Number(value) : Number.NaN);
const list = (value: string, previous: string[] = []) => [...previous, value];

/** `carve status`, `host`, `pool`, `offering`, `job`: the admin's commands (templates: template.ts). */
export function registerInfraCommands(program: Command, out: () => TOutput): void {
  program.command("status").description("hosts, VMs and jobs at a glance").action(async () =>
    withClient(async (client) => {
      const s = await client.getStatus();
      out().result(s, () => [
        ...table(["HOST", "STATE", "VCPUS", "MEMORY MIB", "LAST HEARTBEAT"], s.hosts.map((h) => [h.name, h.state, h.vcpus, h.memoryMiB, h.lastHeartbeatAt === null ? null : new Date(h.lastHeartbeatAt).toISOString()])),
        `VMs: ${Object.entries(s.vms).map(([k, v]) => `${v} ${k}`).join(", ") || "none"}`,
        `jobs in flight: ${s.jobsInFlight}; failed in the last hour: ${s.failedJobsLastHour}`,
      ]);
    }),
  );

  const host = program.command("host").description("hypervisor hosts");
  registerHostJoinCommands(host, out);
  host.command("list").description("hosts with capacity").action(async () =>
    withClient(async (client) => {
      const hosts = await client.listHosts();
      out().result(hosts, () => table(["NAME", "STATE", "VCPUS", "MEMORY MIB", "URI", "ID"], hosts.map((h) => [h.name, h.state, `${h.vcpusAllocated}/${h.cpus}`, `${h.memMiBAllocated}/${h.memoryMiB}`, h.uri, h.id])));
    }),
  );

  host.command("inspect <host>").description("what libvirt on the host really has: domains, pools, volumes")
    .option("--timeout <seconds>", "how long to wait for the agent", "60")
    .action(async (ref: string, o: { timeout: string }) =>
      withClient(async (client) => {
        const job = await followJobWith(client.waitForJob, (await client.inspectHost(ref)).id, out(), Number(o.timeout));
        const inv = await client.getHostInventory(job.id);
        out().result(inv, () => [
          ...table(["DOMAIN", "STATE"], inv.domains.map((d) => [d.name, d.state])),
          ...table(["POOL", "VOLUMES"], inv.pools.map((p) => [p.name, p.volumes.join(" ")])),
        ]);
      }),
    );

  const pool = program.command("pool").description("storage pools");
  pool.command("add <name>").description("register a storage pool the given hosts see")
    .requiredOption("--host <host>", "host name or id (repeat for a shared pool)", list)
    .requiredOption("--libvirt-name <name>", "the pool's name in libvirt")
    .requiredOption("--path <path>", "the pool's target directory")
    .option("--scope <scope>", "Local or Shared", "Local")
    .option("--source-host <host>", "NFS server: makes it a netfs pool libvirt mounts at --path")
    .option("--source-path <path>", "the NFS export (with --source-host)")
    .option("--wait", "wait until every host has defined it in libvirt")
    .option("--timeout <seconds>", "how long --wait waits", "120")
    .action(async (name: string, o: { host: string[]; libvirtName: string; path: string; scope: string; sourceHost?: string; sourcePath?: string; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const netfs = o.sourceHost !== undefined || o.sourcePath !== undefined;
        const p = await client.addPool({
          name, hosts: o.host, libvirtName: o.libvirtName, path: o.path, scope: o.scope,
          ...(netfs ? { kind: "Netfs", sourceHost: o.sourceHost, sourcePath: o.sourcePath } : {}),
        }); // prettier-ignore
        if (o.wait) for (const job of p.jobs) await followJobWith(client.waitForJob, job.id, out(), Number(o.timeout));
        out().result(p, () => [`pool ${p.name} added (${p.id}); defining it in libvirt: job(s) ${p.jobs.map((j) => j.id).join(", ")}`]);
      }),
    );
  pool.command("define <pool>").description("(re)define the pool in libvirt on its hosts: after fixing a mount or export, or when a host joined it")
    .option("--host <host>", "only on this host")
    .option("--wait", "wait until every host has defined it")
    .option("--timeout <seconds>", "how long --wait waits", "120")
    .action(async (ref: string, o: { host?: string; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const d = await client.definePool(ref, o.host);
        const jobs = o.wait ? await Promise.all(d.jobs.map((job) => followJobWith(client.waitForJob, job.id, out(), Number(o.timeout)))) : d.jobs;
        out().result({ pool: d.pool, jobs }, () => [`pool ${d.pool.name}: ${o.wait ? "defined" : "being defined"} on ${jobs.length} host(s) (job(s) ${jobs.map((j) => j.id).join(", ")})`]);
      }),
    );
  pool.command("list").description("storage pools").action(async () =>
    withClient(async (client) => {
      const pools = await client.listPools();
      out().result(pools, () => table(["NAME", "SCOPE", "STATE", "LIBVIRT", "PATH", "HOSTS"], pools.map((p) => [p.name, p.scope, p.state, p.libvirtName, p.path, p.hosts.map((h) => h.name).join(",")])));
    }),
  );
  pool.command("delete <pool>").description("delete a pool no volume uses any more; the files stay on the hosts").action(async (ref: string) =>
    withClient(async (client) => {
      const p = await client.deletePool(ref);
      out().result(p, () => [`pool ${p.name} deleted${p.outcome === "removed" ? " (kept as Removed for its volumes' history)" : ""}. Its files stay on the hosts.`]);
    }),
  );

  const offering = program.command("offering").description("service offerings");
  offering.command("create <name>").description("create a service offering")
    .requiredOption("--vcpus <n>", "vCPUs")
    .requiredOption("--memory <MiB>", "memory in MiB")
    .option("--disk <GiB>", "root disk size in GiB", "10")
    .option("--description <text>", "free text")
    .option("--network <network>", "the network its VMs' NIC goes on (default: the default network)")
    .action(async (name: string, o: { vcpus: string; memory: string; disk: string; description?: string; network?: string }) =>
      withClient(async (client) => {
        const off = await client.createOffering({ name, vcpus: int(o.vcpus), memoryMiB: int(o.memory), rootDiskGiB: int(o.disk), description: o.description, network: o.network });
        out().result(off, () => [`offering ${off.name} created (${off.id})${off.network ? ` on network ${off.network.name}` : ""}`]);
      }),
    );
  offering.command("list").description("active service offerings").action(async () =>
    withClient(async (client) => {
      const offs = await client.listOfferings();
      out().result(offs, () => table(["NAME", "VCPUS", "MEMORY MIB", "ROOT DISK", "NETWORK", "ID"], offs.map((o) => [o.name, o.vcpus, o.memoryMiB, `${o.rootDiskGiB} GiB`, o.network?.name ?? "default", o.id])));
    }),
  );
  offering.command("delete <offering>").description("delete an offering no live VM uses (--retire: hide it from new VMs while some still use it)")
    .option("--retire", "while VMs use it, make it inactive instead of refusing")
    .action(async (ref: string, o: { retire?: boolean }) =>
      withClient(async (client) => {
        const d = await client.deleteOffering(ref, { retire: o.retire === true });
        const kept = d.vms.length > 0 ? `; ${d.vms.length} VM(s) keep it: ${d.vms.join(", ")}` : "";
        out().result(d, () => [d.outcome === "deleted" ? `offering ${d.name} deleted` : `offering ${d.name} retired: no new VM can use it${kept}`]);
      }),
    );

  program.command("job").description("jobs").command("show <id>").description("one job with its progress and outcome").action(async (id: string) =>
    withClient(async (client) => {
      const j = await client.getJob(id);
      out().result(j, () => [`job ${j.id} ${j.kind} ${j.state} ${j.progress}%${j.step ? ` (${j.step})` : ""}`, ...(j.errorMessage ? [`error: ${j.errorMessage}`] : [])]);
    }),
  );
}
