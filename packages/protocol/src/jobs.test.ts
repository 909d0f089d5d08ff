import { describe, expect, it } from "vitest";
import { envelope, JOBS, PROTOCOL_VERSION, vmIdFromDomainName, domainName, ZLibvirtName } from "./index.ts";

const vmId = "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e";

describe("protocol", () => {
  it("wraps a payload with the protocol version and the job id, validated", () => {
    const env = envelope("vm.start", vmId, { vmId });
    expect(env).toEqual({ protocolVersion: PROTOCOL_VERSION, jobId: vmId, payload: { vmId } });
    expect(() => envelope("vm.start", vmId, { vmId: "not-a-uuid" })).toThrow();
  });

  it("fills defaults a sender may omit (graceful stop after 60 s)", () => {
    expect(JOBS["vm.stop"].payload.parse({ vmId })).toEqual({ vmId, gracefulTimeoutSec: 60, force: false });
  });

  it("derives domain names from VM ids and back, ignoring domains Carve does not own", () => {
    expect(vmIdFromDomainName(domainName(vmId))).toBe(vmId);
    expect(vmIdFromDomainName("my-own-vm")).toBeNull();
  });

  it("vm.create carries NICs as an optional field: payloads without them still parse, and a NIC is validated", () => {
    const base = {
      vmId,
      title: "web-1",
      vcpus: 1,
      memoryMiB: 512,
      rootVolume: { volumeId: vmId, pool: "default", name: "root.qcow2", sizeGiB: 1 },
      template: { pool: "default", name: "tiny.qcow2", format: "qcow2" },
    };
    expect(JOBS["vm.create"].payload.parse(base).nics).toBeUndefined();
    const nic = { network: { kind: "managed", name: "dev-lan" }, mac: "52:54:00:0a:1b:2c", ip: "10.0.0.10", prefix: 24, gateway: "10.0.0.1", hostname: "web-1.dev.example.com" };
    expect(JOBS["vm.create"].payload.parse({ ...base, nics: [nic] }).nics).toEqual([nic]);
    expect(JOBS["vm.create"].payload.safeParse({ ...base, nics: [{ ...nic, mac: "52:54:00:0A:1B:2C" }] }).success).toBe(false);
    expect(JOBS["vm.create"].payload.safeParse({ ...base, nics: [{ ...nic, ip: "10.0.0.300" }] }).success).toBe(false);
  });

  it("refuses pool and volume names that could carry virsh or shell syntax", () => {
    for (const bad of ["a b", "a;b", "$(x)", "../etc", "-rf", "a'b", ""]) expect(ZLibvirtName.safeParse(bad).success).toBe(false);
    expect(ZLibvirtName.safeParse("tiny.qcow2").success).toBe(true);
  });
});
