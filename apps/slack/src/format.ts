import type { TQuotaView, TVmConnect, TVmView } from "@carve/core";

export function vmLine(vm: TVmView): string {
  const ip = vm.ipAddress ? ` · ${vm.ipAddress}` : "";
  return `• *${vm.name}* — ${vm.state}${ip} · ${vm.template.name} / ${vm.offering.name}${vm.host ? ` · ${vm.host.name}` : ""}`;
}

/** The way into a VM, as every Slack answer shows it. */
export function connectText(connect: TVmConnect): string {
  return `connect: \`${connect.command}\``;
}

export function vmStatus(vm: TVmView): string {
  return [
    `*${vm.name}* is *${vm.state}*${vm.stateReason ? `: ${vm.stateReason}` : ""}`,
    `${vm.vcpus} vCPU · ${vm.memoryMiB} MiB · ${vm.template.name} / ${vm.offering.name}${vm.host ? ` · on ${vm.host.name}` : ""}`,
    ...vm.addresses.map((a) => `address: ${a.ip ? `\`${a.ip}\`` : "none yet"} on ${a.network}${a.hostname ? ` (${a.hostname})` : ""}`),
    ...(vm.connect ? [connectText(vm.connect)] : []),
    ...vm.volumes.map((v) => `disk ${v.name}: ${v.sizeGiB} GiB, ${v.state} (${v.pool.name})`),
    ...(vm.activeJobId ? [`a job is running on it (${vm.activeJobId})`] : []),
    // day-2 (issue 19): the way out of Lost, in Slack's own words.
    ...(vm.state === "Lost" ? [`what to do: \`/vm recreate ${vm.name}\` (from its template, same name and address) or \`/vm destroy ${vm.name}\` (records only)`] : []),
  ].join("\n");
}

/** Use of each limit as `used/limit` (∞: no limit), one line per scope (the user, each group with a quota). */
export function quotaLines(views: TQuotaView[]): string {
  const cell = (use: number, limit: number | null) => `${use}/${limit ?? "∞"}`;
  return views
    .map((v) => `*${v.scope}*: VMs ${cell(v.use.vms, v.limits.vms)} · vCPUs ${cell(v.use.vcpus, v.limits.vcpus)} · memory ${cell(v.use.memoryMiB, v.limits.memoryMiB)} MiB · storage ${cell(v.use.storageGiB, v.limits.storageGiB)} GiB`)
    .join("\n");
}
