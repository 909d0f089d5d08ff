import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { domainName, envelope, type TJobName, type TJobPayload, type TNicSpec } from "@carve/protocol";
import { processJob } from "../jobs/process-job.ts";
import type { TJobServices } from "./index.ts";
import { FakeHypervisor, testJobServices } from "../testing/fake-hypervisor.ts";

const VM_ID = "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1";
const JOB_ID = "9d7c6f0e-1a2b-4c3d-8e9f-001122334455";
const NIC: TNicSpec = { network: { kind: "managed", name: "dev-nat" }, mac: "52:54:00:00:00:07", ip: "10.9.0.17", prefix: 24, gateway: "10.9.0.1", hostname: "web.dev.example.com", filter: "carve-sg-web" };

let hypervisor: FakeHypervisor;
let deps: TJobServices;
let dataDir: string;

beforeEach(async () => {
  hypervisor = new FakeHypervisor();
  dataDir = mkdtempSync(join(tmpdir(), "carve-agent-net-"));
  deps = testJobServices(hypervisor, dataDir);
  await hypervisor.defineNetwork({ kind: "managed", name: "dev-nat", mode: "nat", address: "10.9.0.1", prefix: 24, staticDhcp: true });
  hypervisor.pools.get("default")?.set("carve-root.qcow2", "/default/carve-root.qcow2");
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function run<N extends TJobName>(name: N, payload: TJobPayload<N>): Promise<unknown> {
  return processJob({ id: "1", name, data: envelope(name, JOB_ID, payload), updateProgress: async () => undefined }, deps);
}

const DEFINE: TJobPayload<"vm.define"> = {
  vmId: VM_ID, title: "web", vcpus: 1, memoryMiB: 64,
  rootVolume: { volumeId: VM_ID, pool: "default", name: "carve-root.qcow2", format: "qcow2" },
  nics: [NIC],
}; // prettier-ignore

describe("a VM's addresses follow it between hosts", () => {
  it("vm.define (a cold move's target) adds the DHCP/DNS entries before defining the domain with the same MAC and filter", async () => {
    await run("vm.define", DEFINE);
    expect(await hypervisor.networkHosts("dev-nat")).toEqual({ dhcpHosts: [{ mac: NIC.mac, ip: NIC.ip, name: "web" }], dnsHosts: [{ ip: NIC.ip, hostnames: ["web.dev.example.com"] }] });
    const calls = hypervisor.calls.filter((c) => !c.startsWith("net-define"));
    expect(calls[0]).toBe(`net-host-add dev-nat ${NIC.mac} ${NIC.ip}`);
    expect(calls[1]).toBe(`define ${domainName(VM_ID)}`);
    expect(await hypervisor.domainXml(domainName(VM_ID))).toContain('<filterref filter="carve-sg-web"/>');
  });

  it("vm.undefine (the source after a cold move) removes the entries, read from the domain, and its filter; a retry finds nothing to do", async () => {
    await run("vm.define", { ...DEFINE, filter: { name: `carve-vm-${VM_ID}`, ip: NIC.ip, rules: [] } });
    expect([...hypervisor.filters.keys()]).toEqual([`carve-vm-${VM_ID}`]);
    await run("vm.undefine", { vmId: VM_ID });
    expect(await hypervisor.networkHosts("dev-nat")).toEqual({ dhcpHosts: [], dnsHosts: [] });
    // Its filter went with it: none left here for the drift list to show.
    expect([...hypervisor.filters.keys()]).toEqual([]);
    expect(await run("vm.undefine", { vmId: VM_ID })).toEqual({ vmId: VM_ID, removedDomain: false });
  });
});
