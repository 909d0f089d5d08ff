import { createVm, destroyVm, getJob, getVm, listVms, rebootVm, resetVmPassword, revealVmPassword, startVm, stopVm, type TActor, type TCore, type TVmView } from "@carve/core";
import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withSession } from "../session.ts";
import { withIdentitySession } from "./identity-session.ts";
import { followJob } from "./wait.ts";

const vmRow = (v: TVmView) => [v.name, v.state, v.host?.name, v.template.name, v.offering.name, v.owner.username, v.id];
const VM_HEADERS = ["NAME", "STATE", "HOST", "TEMPLATE", "OFFERING", "OWNER", "ID"];

/** `carve vm …`: create, list, show, start, stop, reboot, destroy, reset-password. */
export function registerVmCommands(program: Command, out: () => TOutput): void {
  const vm = program.command("vm").description("create and manage VMs");

  vm.command("create <name>")
    .description("create a VM from a template and a service offering")
    .requiredOption("--template <template>", "template name or id")
    .requiredOption("--offering <offering>", "service offering name or id")
    .option("--description <text>", "free text shown with the VM")
    .option("--ssh-key <name...>", "your SSH keys to put into the VM (cloud-init templates; see 'sshkey list')")
    .option("--data-disk <offering[:GiB]...>", "data disks created with it, by disk offering ('disk-offering list'); :GiB for custom sizes")
    .option("--wait", "wait until the VM is Running")
    .option("--timeout <seconds>", "how long --wait waits", "600")
    .action(async (name: string, opts: { template: string; offering: string; description?: string; sshKey?: string[]; dataDisk?: string[]; wait?: boolean; timeout: string }) =>
      withSession(async ({ core, actor }) => {
        const dataDisks = (opts.dataDisk ?? []).map((d) => {
          const [diskOffering = "", size] = d.split(":");
          return { diskOffering, ...(size === undefined ? {} : { sizeGiB: /^\d+$/.test(size) ? Number(size) : Number.NaN }) };
        });
        const { vm: created, job } = await createVm(core, actor, { name, template: opts.template, offering: opts.offering, description: opts.description, sshKeys: opts.sshKey ?? [], dataDisks });
        out().progress(`VM ${created.name} (${created.id}) is being created; job ${job.id}`);
        if (opts.wait) await followJob(core, actor, job.id, out(), Number(opts.timeout));
        const view = await getVm(core, actor, { vm: created.id });
        out().result({ vm: view, jobId: job.id }, () => table(VM_HEADERS, [vmRow(view)]));
      }),
    );

  vm.command("list")
    .description("list VMs, newest first")
    .option("--state <state>", "only VMs in this state")
    .option("--owner <username>", "only this user's VMs (admins)")
    .option("--host <host>", "only VMs on this host")
    .option("--limit <n>", "page size", "50")
    .option("--cursor <cursor>", "the next page, from a previous listing")
    .action(async (opts: { state?: string; owner?: string; host?: string; limit: string; cursor?: string }) =>
      withSession(async ({ core, actor }) => {
        const page = await listVms(core, actor, { ...opts, limit: opts.limit });
        out().result(page, () => [
          ...table(VM_HEADERS, page.items.map(vmRow)),
          ...(page.nextCursor ? [`more: carve vm list --cursor ${page.nextCursor}`] : []),
        ]);
      }),
    );

  vm.command("show <vm>")
    .description("one VM with its volumes")
    .action(async (ref: string) =>
      withSession(async ({ core, actor }) => {
        const view = await getVm(core, actor, { vm: ref });
        out().result(view, () => [
          ...table(VM_HEADERS, [vmRow(view)]),
          `vCPUs ${view.vcpus}, memory ${view.memoryMiB} MiB${view.stateReason ? `\nreason: ${view.stateReason}` : ""}`,
          ...table(["VOLUME", "KIND", "SIZE", "STATE", "POOL"], view.volumes.map((v) => [v.name, v.kind, `${v.sizeGiB} GiB`, v.state, v.pool.name])),
        ]);
      }),
    );

  const actions = { start: startVm, reboot: rebootVm, destroy: destroyVm } as const;
  for (const [verb, useCase] of Object.entries(actions)) {
    const command = vm.command(`${verb} <vm>`).description(`${verb} a VM`);
    if (verb === "destroy") command.option("--with-volumes", "also delete its data volumes (by default they are kept, detached)");
    command
      .option("--wait", "wait until it is done")
      .option("--timeout <seconds>", "how long --wait waits", "600")
      .action(async (ref: string, opts: { wait?: boolean; timeout: string; withVolumes?: boolean }) =>
        withSession(async ({ core, actor }) => {
          const job = await useCase(core, actor, { vm: ref, ...(opts.withVolumes ? { withVolumes: true } : {}) });
          await finishAction(core, actor, job.id, ref, verb, opts, out());
        }),
      );
  }

  vm.command("reset-password <vm>")
    .description("set a new generated password through the guest agent (no reboot), wait for it, and print it once")
    .option("--user <user>", "the guest account", "root")
    .option("--timeout <seconds>", "how long to wait for the guest agent", "120")
    .action(async (ref: string, opts: { user: string; timeout: string }) =>
      withIdentitySession(async ({ core, deps, actor }) => {
        const reset = await resetVmPassword(deps, actor, { vm: ref, user: opts.user });
        out().progress(`password reset of ${ref} requested; job ${reset.job.id}`);
        await followJob(core, actor, reset.job.id, out(), Number(opts.timeout));
        const shown = await revealVmPassword(deps, actor, { revealId: reset.revealId });
        out().result(shown, () => [`new password of ${shown.user} on ${shown.vmName} (shown once, note it now):`, `  ${shown.password}`]);
      }),
    );

  vm.command("stop <vm>")
    .description("stop a VM: ACPI shutdown, forced off after --grace seconds")
    .option("--force", "power off at once")
    .option("--grace <seconds>", "seconds to wait for the guest to shut down", "60")
    .option("--wait", "wait until it is done")
    .option("--timeout <seconds>", "how long --wait waits", "600")
    .action(async (ref: string, opts: { force?: boolean; grace: string; wait?: boolean; timeout: string }) =>
      withSession(async ({ core, actor }) => {
        const job = await stopVm(core, actor, { vm: ref, force: opts.force ?? false, timeoutSec: Number(opts.grace) });
        await finishAction(core, actor, job.id, ref, "stop", opts, out());
      }),
    );
}

async function finishAction(
  core: TCore,
  actor: TActor,
  jobId: string,
  ref: string,
  verb: string,
  opts: { wait?: boolean; timeout: string },
  out: TOutput,
): Promise<void> {
  out.progress(`${verb} of ${ref} requested; job ${jobId}`);
  const job = opts.wait ? await followJob(core, actor, jobId, out, Number(opts.timeout)) : await getJob(core, actor, jobId);
  out.result({ job }, () => [`job ${job.id} ${job.kind} ${job.state}`]);
}
