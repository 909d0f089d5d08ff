import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envelope, vmFilterName, type TJobName, type TJobPayload, type TVmFilter } from "@carve/protocol";
import { processJob } from "../jobs/process-job.ts";
import type { TJobServices } from "./index.ts";
import { FakeHypervisor, testJobServices } from "../testing/fake-hypervisor.ts";

const VM_ID = "5c0ffee0-3c36-4c2e-9a33-7a3bb0a8f0a1";
const JOB_ID = "9d7c6f0e-1a2b-4c3d-8e9f-001122334466";
const ROOT = { volumeId: VM_ID, pool: "default", name: "carve-root.qcow2", format: "qcow2" } as const;
const filter = (port: number): TVmFilter => ({
  name: vmFilterName(VM_ID),
  ip: "10.9.0.17",
  rules: [{ protocol: "tcp", portFrom: port, portTo: port, sourceCidr: "10.0.0.0/8" }],
});

let hypervisor: FakeHypervisor;
let deps: TJobServices;
let dataDir: string;

beforeEach(() => {
  hypervisor = new FakeHypervisor();
  dataDir = mkdtempSync(join(tmpdir(), "carve-agent-filter-"));
  deps = testJobServices(hypervisor, dataDir);
  hypervisor.pools.get("default")?.set("carve-root.qcow2", "/default/carve-root.qcow2");
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function run<N extends TJobName>(name: N, payload: TJobPayload<N>): Promise<unknown> {
  return processJob({ id: "1", name, data: envelope(name, JOB_ID, payload), updateProgress: async () => undefined }, deps);
}

describe("vm.filter applies a VM's security groups only where the VM has a domain", () => {
  it("redefines the filter of a VM defined here with the new rules", async () => {
    await run("vm.define", { vmId: VM_ID, title: "web", vcpus: 1, memoryMiB: 64, rootVolume: ROOT, filter: filter(22) });
    expect(await run("vm.filter", { vmId: VM_ID, filter: filter(8080) })).toEqual({ vmId: VM_ID, name: vmFilterName(VM_ID), rules: 1, applied: true });
    expect(hypervisor.filters.get(vmFilterName(VM_ID))?.rules).toEqual(filter(8080).rules);
  });

  it("leaves no filter behind when it comes after the VM's destroy (a group-mate's destroy re-rendered it)", async () => {
    await run("vm.define", { vmId: VM_ID, title: "web", vcpus: 1, memoryMiB: 64, rootVolume: ROOT, filter: filter(22) });
    await run("vm.destroy", { vmId: VM_ID, volumes: [ROOT] });
    expect(await run("vm.filter", { vmId: VM_ID, filter: filter(22) })).toEqual({ vmId: VM_ID, name: vmFilterName(VM_ID), rules: 1, applied: false });
    expect([...hypervisor.filters.keys()]).toEqual([]);
  });
});
