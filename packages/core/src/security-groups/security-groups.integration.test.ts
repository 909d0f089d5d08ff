import type { TVmFilter } from "@carve/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createNetwork } from "../networks/create-network.ts";
import { setNetworkSettings } from "../settings/set-network-settings.ts";
import { createTestCore, createTestUser, refusal, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { destroyVm } from "../vms/destroy-vm.ts";
import { addSecurityGroupRule } from "./add-security-group-rule.ts";
import { createSecurityGroup } from "./create-security-group.ts";
import { deleteSecurityGroup } from "./delete-security-group.ts";
import { getSecurityGroup } from "./get-security-group.ts";
import { listSecurityGroups } from "./list-security-groups.ts";
import { openVmPort } from "./open-vm-port.ts";
import { reapplyFilters } from "./reapply-filters.ts";
import { removeSecurityGroupRule } from "./remove-security-group-rule.ts";
import { getVmSecurityGroups, setVmSecurityGroups } from "./set-vm-security-groups.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const DEV_LAN = { name: "dev-lan", kind: "Managed", cidr: "10.0.0.0/24", gateway: "10.0.0.1", rangeStart: "10.0.0.10", rangeEnd: "10.0.0.159", isDefault: true } as const;
const COMPANY = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Sets up a host with a default network, an admin and two users. */
async function world() {
  const admin = await createTestUser(core, "root", "Admin");
  const alice = await createTestUser(core, "alice");
  const bob = await createTestUser(core, "bob");
  await seedInfra(core, { hosts: 1 });
  await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1"] });
  return { admin, alice, bob };
}

/** A VM created and finalised Running, with its address. */
async function runningVm(actor: Parameters<typeof createVm>[1], name: string): Promise<{ id: string; ip: string; filter: TVmFilter; nicFilter: string | undefined }> {
  const { vm, job } = await createVm(core, actor, { name, template: "tiny", offering: "small" });
  const payload = core.queues.jobs.get(job.id)?.envelope.payload as { filter: TVmFilter; nics: { filter?: string }[] };
  core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: `/pool/carve-${vm.id}.qcow2` } });
  await sweepJobs(core);
  return { id: vm.id, ip: vm.ipAddress ?? "", filter: payload.filter, nicFilter: payload.nics[0]?.filter };
}

/** The filters sent to agents since the last call, by VM id (the latest one each). */
function sentFilters(): Map<string, TVmFilter> {
  const sent = new Map<string, TVmFilter>();
  for (const job of core.queues.byName("vm.filter")) {
    const payload = job.envelope.payload as { vmId: string; filter: TVmFilter };
    sent.set(payload.vmId, payload.filter);
    core.queues.lose(job.envelope.jobId);
  }
  return sent;
}

const sources = (filter: TVmFilter | undefined, port: number | null) => filter?.rules.filter((r) => r.portFrom === port).map((r) => `${r.protocol} ${r.sourceCidr}`);

describe("security group validation and ownership", () => {
  it("refuses bad rules naming the field and its fix, and other users' groups as if they did not exist", async () => {
    const { alice, bob, admin } = await world();
    await createSecurityGroup(core, alice, { name: "web" });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ protocol: "sctp", portFrom: 80 }, "protocol", "must be tcp, udp, icmp or all"],
      [{ protocol: "tcp", portFrom: 0 }, "portFrom", "(0 is not a port)"],
      [{ protocol: "tcp", portFrom: 70000 }, "portFrom", "between 1 and 65535"],
      [{ protocol: "tcp", portFrom: 8090, portTo: 8080 }, "portTo", "is below portFrom (8090): give the range low to high, e.g. 8080-8090"],
      [{ protocol: "tcp" }, "portFrom", "is required for a tcp rule"],
      [{ protocol: "icmp", portFrom: 22 }, "portFrom", "is only for tcp and udp rules"],
      [{ protocol: "tcp", portFrom: 80, source: "10.0.0.300/8" }, "source", "must be an IPv4 network in CIDR notation"],
      [{ protocol: "tcp", portFrom: 80, source: "10.1.2.3/8" }, "source", "has host bits set: the network is 10.0.0.0/8"],
      [{ protocol: "tcp", portFrom: 80, source: "no-such-group" }, "source", "'no-such-group' is not one of your security groups"],
    ];
    for (const [change, field, text] of cases) {
      const error = await refusal(addSecurityGroupRule(core, alice, { group: "web", ...change }));
      expect(error.fields.find((f) => f.field === field)?.message, JSON.stringify(change)).toContain(text);
    }
    expect((await getSecurityGroup(core, alice, { group: "web" })).rules).toEqual([]);
    // Bob cannot see or change alice's group, by name or by id; an admin can, by id.
    const web = await getSecurityGroup(core, alice, { group: "web" });
    expect((await refusal(getSecurityGroup(core, bob, { group: web.id }))).code).toBe("SECURITY_GROUP_NOT_FOUND");
    expect((await refusal(addSecurityGroupRule(core, bob, { group: web.id, protocol: "tcp", portFrom: 80 }))).code).toBe("SECURITY_GROUP_NOT_FOUND");
    expect((await refusal(deleteSecurityGroup(core, bob, { group: web.id }))).code).toBe("SECURITY_GROUP_NOT_FOUND");
    const added = await addSecurityGroupRule(core, admin, { group: web.id, protocol: "tcp", portFrom: 8080, portTo: 8090, source: "10.1.2.3" });
    expect(added.rule).toMatchObject({ protocol: "tcp", portFrom: 8080, portTo: 8090, sourceCidr: "10.1.2.3/32", sourceKind: "cidr" });
    // The same rule again is not added twice.
    expect((await addSecurityGroupRule(core, alice, { group: "web", protocol: "tcp", portFrom: 8080, portTo: 8090, source: "10.1.2.3/32" })).added).toBe(false);
    expect((await refusal(createSecurityGroup(core, alice, { name: "web" }))).code).toBe("ALREADY_EXISTS");
    // Every change is in the event trail.
    const events = await core.db.event.findMany({ where: { type: { startsWith: "security-group." } }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.message)).toEqual(["security group web created", "security group web: tcp 8080-8090 from 10.1.2.3/32 allowed"]);
  });

  it("gives each user a default group on first list: SSH and ping from the company networks", async () => {
    const { alice } = await world();
    const [group, ...others] = await listSecurityGroups(core, alice);
    expect(others).toEqual([]);
    expect(group?.name).toBe("default");
    expect(group?.rules.map((r) => `${r.protocol} ${r.portFrom ?? "-"} from ${r.source}`)).toEqual(["tcp 22 from company", "icmp - from company"]);
    // Listing again makes no second one.
    expect((await listSecurityGroups(core, alice)).map((g) => g.name)).toEqual(["default"]);
  });
});

describe("filters follow the groups", () => {
  it("puts a new VM in its owner's default group, with its filter on the NIC", async () => {
    const { alice } = await world();
    const web = await runningVm(alice, "web-1");
    expect(web.nicFilter).toBe(`carve-vm-${web.id}`);
    expect(web.filter).toMatchObject({ name: `carve-vm-${web.id}`, ip: web.ip });
    expect(sources(web.filter, 22)).toEqual(COMPANY.map((c) => `tcp ${c}`));
    expect(sources(web.filter, null)).toEqual(COMPANY.map((c) => `icmp ${c}`));
    expect((await getVmSecurityGroups(core, alice, { vm: "web-1" })).groups.map((g) => g.name)).toEqual(["default"]);
  });

  it("re-applies the filters of the VMs a change affects, resolving source groups to their members' addresses", async () => {
    const { alice, admin } = await world();
    const db = await runningVm(alice, "db-1");
    const app = await runningVm(alice, "app-1");
    const other = await runningVm(alice, "other-1");
    sentFilters();
    await createSecurityGroup(core, alice, { name: "app" });
    await createSecurityGroup(core, alice, { name: "db" });
    // db lets the app group in on 5432; nobody is in app yet, so the rule lets nobody in.
    await addSecurityGroupRule(core, alice, { group: "db", protocol: "tcp", portFrom: 5432, source: "app" });
    expect(sentFilters().size).toBe(0);
    await setVmSecurityGroups(core, alice, { vm: "db-1", groups: ["default", "db"] });
    expect(sources(sentFilters().get(db.id), 5432)).toEqual([]);
    // app-1 joins app: db-1's filter now lets app-1's address in (and app-1's own is re-applied).
    await setVmSecurityGroups(core, alice, { vm: "app-1", groups: ["default", "app"] });
    let sent = sentFilters();
    expect([...sent.keys()].sort()).toEqual([app.id, db.id].sort());
    expect(sources(sent.get(db.id), 5432)).toEqual([`tcp ${app.ip}/32`]);
    // A rule on db changes db's members only.
    const rule = await addSecurityGroupRule(core, alice, { group: "db", protocol: "udp", portFrom: 53, source: "192.168.7.0/24" });
    sent = sentFilters();
    expect([...sent.keys()]).toEqual([db.id]);
    expect(sources(sent.get(db.id), 53)).toEqual(["udp 192.168.7.0/24"]);
    await removeSecurityGroupRule(core, alice, { group: "db", rule: rule.rule.id });
    expect(sources(sentFilters().get(db.id), 53)).toEqual([]);
    // A default-group rule reaches every VM in it; the company networks changed by the admin too.
    await addSecurityGroupRule(core, alice, { group: "default", protocol: "tcp", portFrom: 443 });
    expect([...sentFilters().keys()].sort()).toEqual([db.id, app.id, other.id].sort());
    await setNetworkSettings(core, admin, { companyCidrs: ["10.20.0.0/16"] });
    sent = sentFilters();
    expect(sources(sent.get(other.id), 22)).toEqual(["tcp 10.20.0.0/16"]);
    expect(sources(sent.get(other.id), 443)).toEqual(["tcp 10.20.0.0/16"]);
    expect((await refusal(setNetworkSettings(core, admin, { companyCidrs: ["10.20.0.1/16"] }))).fields).toEqual([
      { field: "companyCidrs[0]", message: "has host bits set: the network is 10.20.0.0/16" },
    ]);
    // Reconciliation's repair: every VM on the host gets its filter again.
    expect((await reapplyFilters(core, admin, { host: "host-1" })).jobs).toBe(3);
    expect(sentFilters().size).toBe(3);
    // The jobs are vm.filter jobs on the VM's host, each one a Job row the user can watch.
    expect(await core.db.job.count({ where: { kind: "vm.filter", vmId: db.id, hostId: { not: null } } })).toBeGreaterThan(0);
  });

  it("refuses to delete a group that VMs or rules use, naming them; a destroyed VM's address leaves its groups' sources", async () => {
    const { alice } = await world();
    const app = await runningVm(alice, "app-1");
    const db = await runningVm(alice, "db-1");
    await createSecurityGroup(core, alice, { name: "app" });
    await createSecurityGroup(core, alice, { name: "db" });
    await addSecurityGroupRule(core, alice, { group: "db", protocol: "tcp", portFrom: 5432, source: "app" });
    await setVmSecurityGroups(core, alice, { vm: "app-1", groups: ["app"] });
    await setVmSecurityGroups(core, alice, { vm: "db-1", groups: ["db"] });
    const inUse = await refusal(deleteSecurityGroup(core, alice, { group: "app" }));
    expect(inUse.code).toBe("HAS_DEPENDENTS");
    expect(inUse.message).toContain("1 VM (app-1)");
    expect(inUse.message).toContain("in group db");
    sentFilters();
    // app-1 is destroyed: db-1's filter no longer lets its (released) address in. The job is
    // recorded with the destroy's outcome (the controller's sweep sends it).
    const destroy = await destroyVm(core, alice, { vm: "app-1" });
    core.queues.settle(destroy.id, { result: { vmId: app.id, removedDomain: true, removedVolumes: [] } });
    await sweepJobs(core);
    const latest = await core.db.job.findFirst({ where: { kind: "vm.filter", vmId: db.id }, orderBy: { createdAt: "desc" }, select: { request: true, createdAt: true } });
    expect(latest?.createdAt.getTime()).toBeGreaterThanOrEqual((await core.db.job.findUniqueOrThrow({ where: { id: destroy.id } })).createdAt.getTime());
    expect(sources((latest?.request as { payload: { filter: TVmFilter } }).payload.filter, 5432)).toEqual([]);
    expect((await getSecurityGroup(core, alice, { group: "app" })).vms).toEqual([]);
  });

  it("opens a VM's port through its own group, created and attached on first use", async () => {
    const { alice, bob } = await world();
    const web = await runningVm(alice, "web-1");
    sentFilters();
    const opened = await openVmPort(core, alice, { vm: "web-1", port: 8080 });
    expect(opened).toMatchObject({ group: { name: "vm-web-1" }, added: true, rule: { protocol: "tcp", portFrom: 8080, portTo: 8080, source: "company" } });
    expect((await getVmSecurityGroups(core, alice, { vm: "web-1" })).groups.map((g) => g.name)).toEqual(["default", "vm-web-1"]);
    expect(sources(sentFilters().get(web.id), 8080)).toEqual(COMPANY.map((c) => `tcp ${c}`));
    // Again: nothing changes, no job.
    expect((await openVmPort(core, alice, { vm: "web-1", port: 8080 })).added).toBe(false);
    expect(sentFilters().size).toBe(0);
    expect((await refusal(openVmPort(core, alice, { vm: "web-1", port: 0 }))).fields[0]?.field).toBe("port");
    expect((await refusal(openVmPort(core, bob, { vm: "web-1", port: 8080 }))).code).toBe("VM_NOT_FOUND");
  });
});
