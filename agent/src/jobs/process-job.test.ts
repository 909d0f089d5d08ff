import { UnrecoverableError } from "bullmq";
import { beforeEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, domainName, envelope, type TJobName, type TJobPayload, type TJobProgress } from "@carve/protocol";
import { tmpdir } from "node:os";
import { FakeHypervisor, testJobServices } from "../testing/fake-hypervisor.ts";
import { processJob } from "./process-job.ts";
import type { TJobServices } from "../handlers/index.ts";

const VM_ID = "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1";
const JOB_ID = "9d7c6f0e-1a2b-4c3d-8e9f-001122334455";
const CREATE: TJobPayload<"vm.create"> = {
  vmId: VM_ID,
  title: "dev",
  vcpus: 1,
  memoryMiB: 256,
  rootVolume: { volumeId: "5f8e1c2a-0000-4000-8000-000000000001", pool: "default", name: "root.qcow2", sizeGiB: 10 },
  template: { pool: "default", name: "template.qcow2", format: "qcow2" },
};

let hypervisor: FakeHypervisor;
let deps: TJobServices;
let progress: TJobProgress[];

beforeEach(() => {
  hypervisor = new FakeHypervisor();
  progress = [];
  deps = testJobServices(hypervisor, tmpdir());
});

/** Runs a well-formed job through processJob. */
function run<N extends TJobName>(name: N, payload: TJobPayload<N>): Promise<unknown> {
  return runRaw(name, envelope(name, JOB_ID, payload));
}
function runRaw(name: string, data: unknown): Promise<unknown> {
  const job = { id: "1", name, data, updateProgress: async (p: TJobProgress) => void progress.push(p) };
  return processJob(job, deps);
}

describe("processJob: the envelope", () => {
  it("fails a job of another protocol version for good, saying which side to upgrade", async () => {
    const data = { ...envelope("vm.start", JOB_ID, { vmId: VM_ID }), protocolVersion: PROTOCOL_VERSION + 1 };
    const failure = runRaw("vm.start", data);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(/protocol version mismatch.*upgrade this host's agent/);
  });

  it("fails unknown jobs, malformed envelopes and invalid payloads for good", async () => {
    await expect(runRaw("vm.explode", envelope("vm.start", JOB_ID, { vmId: VM_ID }))).rejects.toThrow(/unknown job "vm.explode"/);
    await expect(runRaw("vm.start", { vmId: VM_ID })).rejects.toThrow(/not a Carve job envelope/);
    const bad = { protocolVersion: PROTOCOL_VERSION, jobId: JOB_ID, payload: { ...CREATE, vcpus: 0 } };
    const failure = runRaw("vm.create", bad);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(/invalid vm.create payload.*vcpus/s);
  });
});

describe("processJob: vm.create", () => {
  it("clones the disk, defines and boots, reporting each step", async () => {
    const result = await run("vm.create", CREATE);
    expect(result).toEqual({ vmId: VM_ID, domainUuid: VM_ID, state: "running", rootVolumePath: "/default/root.qcow2" });
    expect(progress.map((p) => p.step)).toEqual(["creating disk", "defining and booting", "done"]);
    expect(hypervisor.domains.get(domainName(VM_ID))?.spec.title).toBe("dev");
  });

  it("refuses for good a create whose domain name another domain (another UUID) has, and leaves that domain alone", async () => {
    const other = "7c0ffee0-0000-4000-8000-000000000009";
    await hypervisor.defineDomain(domainName(VM_ID), { vmId: other, title: "someone else's", vcpus: 1, memoryMiB: 64, rootDisk: { path: "/p/x.qcow2", format: "qcow2" } });
    const failure = run("vm.create", CREATE);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(/already exists on this host with another UUID/);
    expect(hypervisor.domains.get(domainName(VM_ID))).toMatchObject({ uuid: other, state: "stopped" });
  });

  it("converges when the same create arrives twice, even at the same time", async () => {
    await Promise.all([run("vm.create", CREATE), run("vm.create", CREATE)]);
    await run("vm.create", CREATE);
    // One root volume next to the template, though each retry first tries to create it.
    expect([...(hypervisor.pools.get("default")?.keys() ?? [])].sort()).toEqual(["root.qcow2", "template.qcow2"]);
    // Each delivery (re)defines the same domain; it is started once.
    expect([...hypervisor.domains.values()].map((d) => ({ uuid: d.uuid, state: d.state }))).toEqual([{ uuid: VM_ID, state: "running" }]);
    expect(hypervisor.calls.filter((c) => c.startsWith("start"))).toHaveLength(1);
  });

  it("fails for good when the template or pool is missing", async () => {
    const noTemplate = run("vm.create", { ...CREATE, template: { ...CREATE.template, name: "gone.qcow2" } });
    await expect(noTemplate).rejects.toBeInstanceOf(UnrecoverableError);
    const noPool = run("vm.create", { ...CREATE, rootVolume: { ...CREATE.rootVolume, pool: "nowhere" } });
    await expect(noPool).rejects.toThrow(/Storage pool not found/);
  });

  it("leaves a lost connection to BullMQ's retries (plain Error)", async () => {
    hypervisor.connectionLost = "Cannot recv data: Connection reset by peer";
    const failure = run("vm.create", CREATE);
    await expect(failure).rejects.toThrow(/Connection reset/);
    await expect(failure).rejects.not.toBeInstanceOf(UnrecoverableError);
  });
});

describe("processJob: power and destroy", () => {
  beforeEach(async () => {
    await run("vm.create", CREATE);
    hypervisor.calls.length = 0;
  });

  it("stops gracefully when the guest complies", async () => {
    await expect(run("vm.stop", { vmId: VM_ID })).resolves.toEqual({ vmId: VM_ID, state: "stopped", forced: false });
    expect(hypervisor.calls).toEqual([`shutdown carve-${VM_ID}`]);
  });

  it("forces a guest that ignores ACPI off after the timeout", async () => {
    hypervisor.ignoreAcpi = true;
    await expect(run("vm.stop", { vmId: VM_ID, gracefulTimeoutSec: 0 })).resolves.toMatchObject({ state: "stopped", forced: true });
    expect(hypervisor.calls).toEqual([`shutdown carve-${VM_ID}`, `destroy carve-${VM_ID}`]);
  });

  it("pulls the plug at once with force", async () => {
    await expect(run("vm.stop", { vmId: VM_ID, force: true })).resolves.toMatchObject({ forced: true });
    expect(hypervisor.calls).toEqual([`destroy carve-${VM_ID}`]);
  });

  it("reboots as a power cycle and starts a stopped VM", async () => {
    hypervisor.ignoreAcpi = true;
    await expect(run("vm.reboot", { vmId: VM_ID })).resolves.toEqual({ vmId: VM_ID, state: "running", forced: true });
    await run("vm.stop", { vmId: VM_ID, force: true });
    await expect(run("vm.start", { vmId: VM_ID })).resolves.toMatchObject({ state: "running" });
  });

  it("refuses power actions on a VM this host does not have", async () => {
    const other = "11111111-2222-4333-8444-555555555555";
    await expect(run("vm.start", { vmId: other })).rejects.toThrow(/VM 11111111-.* has no domain/);
  });

  it("destroys domain and volumes, and a repeat finds nothing left to do", async () => {
    const volumes = [{ volumeId: CREATE.rootVolume.volumeId, pool: "default", name: "root.qcow2" }];
    await expect(run("vm.destroy", { vmId: VM_ID, volumes })).resolves.toEqual({
      vmId: VM_ID,
      removedDomain: true,
      removedVolumes: ["root.qcow2"],
    });
    const gone = [...volumes, { volumeId: CREATE.rootVolume.volumeId, pool: "nowhere", name: "x" }];
    await expect(run("vm.destroy", { vmId: VM_ID, volumes: gone })).resolves.toEqual({ vmId: VM_ID, removedDomain: false, removedVolumes: [] });
  });

  it("reports inventory", async () => {
    await expect(run("host.inventory", {})).resolves.toMatchObject({
      cpus: 8,
      domains: [{ name: `carve-${VM_ID}`, state: "running" }],
      pools: [{ name: "default", volumes: ["template.qcow2", "root.qcow2"] }],
    });
  });
});
