import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

/** A limit from the command line: a whole number, or "none" to remove it. */
const limit = (value: string): number | null => (value === "none" ? null : /^\d+$/.test(value) ? Number(value) : Number.NaN);
/** An option's limit, or undefined when it was left out (that limit stays as it is). */
const optionalLimit = (value: string | undefined) => (value === undefined ? undefined : limit(value));

/** `carve vm plan`, `carve quota …`, `carve settings placement`: where VMs go and how much one may have. */
export function registerPlacementCommands(program: Command, out: () => TOutput): void {
  const vm = program.commands.find((c) => c.name() === "vm") ?? program.command("vm");
  vm.command("plan <name>")
    .description("where would this VM go? (a dry run: nothing is reserved)")
    .requiredOption("--template <template>", "template name or id")
    .requiredOption("--offering <offering>", "service offering name or id")
    .action(async (name: string, o: { template: string; offering: string }) =>
      withClient(async (client) => {
        const plan = await client.planVm({ name, template: o.template, offering: o.offering });
        out().result(plan, () => [plan.message, ...table(["HOST", "WHY NOT"], plan.rejections.map((r) => [r.host, r.reason]))]);
      }),
    );

  const quota = program.command("quota").description("quotas per user and group");
  quota.command("show [username]").description("a user's quotas and use").action(async (username?: string) =>
    withClient(async (client) => {
      const views = await client.getQuota(username);
      const cell = (use: number, lim: number | null) => `${use}/${lim ?? "∞"}`;
      out().result(views, () =>
        table(["SCOPE", "VMS", "VCPUS", "MEMORY MIB", "STORAGE GIB"], views.map((v) => [v.scope, cell(v.use.vms, v.limits.vms), cell(v.use.vcpus, v.limits.vcpus), cell(v.use.memoryMiB, v.limits.memoryMiB), cell(v.use.storageGiB, v.limits.storageGiB)])),
      );
    }),
  );
  quota.command("set").description("set limits of a user or group (\"none\" removes a limit)")
    .option("--user <username>").option("--group <name>")
    // Read as text, converted in the action: commander turns a parser's null ("none") into "".
    .option("--vms <n>", "most VMs").option("--vcpus <n>", "most vCPUs")
    .option("--memory <MiB>", "most memory").option("--storage <GiB>", "most storage")
    .action(async (o: { user?: string; group?: string; vms?: string; vcpus?: string; memory?: string; storage?: string }) =>
      withClient(async (client) => {
        const q = await client.setQuota({ user: o.user, group: o.group, maxVms: optionalLimit(o.vms), maxVcpus: optionalLimit(o.vcpus), maxMemMiB: optionalLimit(o.memory), maxStorGiB: optionalLimit(o.storage) });
        out().result(q, () => [`quota set: VMs ${q.maxVms ?? "∞"}, vCPUs ${q.maxVcpus ?? "∞"}, memory ${q.maxMemMiB ?? "∞"} MiB, storage ${q.maxStorGiB ?? "∞"} GiB`]);
      }),
    );

  program.command("settings").description("Carve settings").command("placement")
    .description("placement policy (spread or pack) and pool threshold (0.1–1)")
    .option("--policy <policy>").option("--pool-threshold <share>", "e.g. 0.85", Number)
    .action(async (o: { policy?: string; poolThreshold?: number }) =>
      withClient(async (client) => {
        const s = await client.changeSettings("placement", { policy: o.policy, poolThreshold: o.poolThreshold });
        out().result(s, () => [`placement: policy ${s.policy}, pool threshold ${Math.round(s.poolThreshold * 100)} %`]);
      }),
    );
}
