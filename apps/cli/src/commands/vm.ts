import type { Command } from "commander";
import type { TCarveClient, TVmSummary, TVmVerb, TVmActionOptions } from "../client/carve-client.ts";
import { table, type TOutput } from "../output.ts";
import { setCommandName, withClient, withSession } from "../session.ts";
import { attachSerialConsole } from "./serial-console.ts";
import { followJobWith } from "./wait.ts";

// ADDRESS: the first NIC's (the one the connect line uses), "-" without one.
const vmRow = (v: TVmSummary) => [v.name, v.state, v.addresses.find((a) => a.ip !== null)?.ip, v.host?.name, v.template?.name, v.offering?.name, v.owner.username, v.id];
const VM_HEADERS = ["NAME", "STATE", "ADDRESS", "HOST", "TEMPLATE", "OFFERING", "OWNER", "ID"];

/** `carve vm …`: create, list, show, start, stop, reboot, destroy, reset-password. */
export function registerVmCommands(program: Command, out: () => TOutput): void {
  const vm = program.command("vm").description("create and manage VMs");

  vm.command("create <name>")
    .description("create a VM from a template and a service offering")
    .requiredOption("--template <template>", "template name or id")
    .requiredOption("--offering <offering>", "service offering name or id")
    .option("--description <text>", "free text shown with the VM")
    .option("--ssh-key <name...>", "your SSH keys to put into the VM (cloud-init templates; see 'sshkey list')")
    .option("--data-disk <offering:GiB...>", "data disks created with it, each a disk offering ('disk-offering list'), with :GiB for a custom size; several may follow")
    .option("--wait", "wait until the VM is Running")
    .option("--timeout <seconds>", "how long --wait waits", "600")
    .action(async (name: string, opts: { template: string; offering: string; description?: string; sshKey?: string[]; dataDisk?: string[]; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const dataDisks = (opts.dataDisk ?? []).map((d) => {
          const [diskOffering = "", size] = d.split(":");
          return { diskOffering, ...(size === undefined ? {} : { sizeGiB: /^\d+$/.test(size) ? Number(size) : Number.NaN }) };
        });
        const { vm: created, job } = await client.createVm({
          name, template: opts.template, offering: opts.offering,
          ...(opts.description === undefined ? {} : { description: opts.description }),
          ...(opts.sshKey ? { sshKeys: opts.sshKey } : {}),
          ...(dataDisks.length > 0 ? { dataDisks } : {}),
        }); // prettier-ignore
        out().progress(`VM ${created.name} (${created.id}) is being created; job ${job.id}`);
        if (opts.wait) await followJobWith(client.waitForJob, job.id, out(), Number(opts.timeout));
        const view = await client.getVm(created.id);
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
      withClient(async (client) => {
        const page = await client.listVms(opts);
        out().result(page, () => [
          ...table(VM_HEADERS, page.items.map(vmRow)),
          ...(page.nextCursor ? [`more: carve vm list --cursor ${page.nextCursor}`] : []),
        ]);
      }),
    );

  vm.command("show <vm>")
    .description("one VM with its addresses, the way in (ssh) and its volumes")
    .action(async (ref: string) =>
      withClient(async (client) => {
        const view = await client.getVm(ref);
        out().result(view, () => [
          ...table(VM_HEADERS, [vmRow(view)]),
          `vCPUs ${view.vcpus}, memory ${view.memoryMiB} MiB${view.stateReason ? `\nreason: ${view.stateReason}` : ""}`,
          `connect: ${view.connect ? view.connect.command : view.addresses.length === 0 ? "- (no network interface)" : "- (no address yet)"}`,
          ...(view.addresses.length > 0 ? table(["NETWORK", "IP", "DNS NAME", "MAC"], view.addresses.map((a) => [a.network, a.ip, a.hostname, a.mac])) : []),
          ...table(["VOLUME", "KIND", "SIZE", "STATE", "POOL"], view.volumes.map((v) => [v.name, v.kind, `${v.sizeGiB} GiB`, v.state, v.pool.name])),
        ]);
      }),
    );

  for (const verb of ["start", "reboot", "destroy"] as const) {
    const command = vm.command(`${verb} <vm>`).description(`${verb} a VM`);
    if (verb === "destroy") command.option("--with-volumes", "also delete its data volumes (by default they are kept, detached)");
    command
      .option("--wait", "wait until it is done")
      .option("--timeout <seconds>", "how long --wait waits", "600")
      .action(async (ref: string, opts: { wait?: boolean; timeout: string; withVolumes?: boolean }) =>
        withClient((client) => runAction(client, ref, verb, { ...(opts.withVolumes ? { withVolumes: true } : {}) }, opts, out())),
      );
  }

  vm.command("reset-password <vm>")
    .description("set a new generated password through the guest agent (no reboot), wait for it, and print it once")
    .option("--user <user>", "the guest account", "root")
    .option("--timeout <seconds>", "how long to wait for the guest agent", "120")
    .action(async (ref: string, opts: { user: string; timeout: string }) =>
      withClient(async (client) => {
        const reset = await client.resetVmPassword(ref, opts.user);
        out().progress(`password reset of ${ref} requested; job ${reset.job.id}`);
        await followJobWith(client.waitForJob, reset.job.id, out(), Number(opts.timeout));
        const shown = await client.revealVmPassword(ref, reset.revealId);
        out().result(shown, () => [`new password of ${shown.user} on ${shown.vmName} (shown once, note it now):`, `  ${shown.password}`]);
      }),
    );

  // console (issue 18)
  vm.command("console <vm>")
    .description("print a one-time link to the VM's screen in the portal (works once, within 60 s, from this computer); --serial attaches this terminal to its serial console instead (on the management server; Ctrl-] detaches)")
    .option("--serial", "the serial (text) console: attach this terminal to it (on the management server), or with --link print its link")
    .option("--link", "with --serial: print a link to the serial console in the portal instead of attaching")
    .action(async (ref: string, opts: { serial?: boolean; link?: boolean }) => {
      if (opts.serial && !opts.link) {
        setCommandName("vm console --serial");
        return withSession((session) => attachSerialConsole(session, ref, out()), `Open the serial console in a browser instead ('carve vm console ${ref} --serial --link' prints its link), or run this on the management server`);
      }
      return withClient(async (client) => {
        const link = await client.openConsole(ref, opts.serial ? "serial" : "vnc");
        out().result(link, () => [`${opts.serial ? "serial console" : "console"} of ${link.vmName}: open this link within 60 s (it works once):`, `  ${link.url}`]);
      });
    });

  vm.command("log <vm>")
    .description("print the last lines of the VM's serial console log (its boot messages)")
    .option("--lines <n>", "how many lines (1-1000)", "100")
    .action(async (ref: string, opts: { lines: string }) =>
      withClient(async (client) => {
        const log = await client.readSerialLog(ref, Number(opts.lines));
        out().result(log, () => [...(log.truncated ? [`(earlier lines of ${log.vmName}'s serial log not shown)`] : []), ...(log.text === "" ? [] : log.text.split("\n"))]);
      }),
    );

  vm.command("stop <vm>")
    .description("stop a VM: ACPI shutdown, forced off after --grace seconds")
    .option("--force", "power off at once")
    .option("--grace <seconds>", "seconds to wait for the guest to shut down", "60")
    .option("--wait", "wait until it is done")
    .option("--timeout <seconds>", "how long --wait waits", "600")
    .action(async (ref: string, opts: { force?: boolean; grace: string; wait?: boolean; timeout: string }) =>
      withClient((client) => runAction(client, ref, "stop", { force: opts.force ?? false, timeoutSec: Number(opts.grace) }, opts, out())),
    );
}

/** Asks for `verb` on the VM and prints its job (followed to its end with --wait). */
async function runAction(client: TCarveClient, ref: string, verb: TVmVerb, options: TVmActionOptions, opts: { wait?: boolean; timeout: string }, out: TOutput): Promise<void> {
  const requested = await client.vmAction(ref, verb, options);
  out.progress(`${verb} of ${ref} requested; job ${requested.id}`);
  const job = opts.wait ? await followJobWith(client.waitForJob, requested.id, out, Number(opts.timeout)) : await client.getJob(requested.id);
  out.result({ job }, () => [`job ${job.id} ${job.kind} ${job.state}`]);
}
