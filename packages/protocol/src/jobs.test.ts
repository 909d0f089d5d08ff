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

  it("refuses pool and volume names that could carry virsh or shell syntax", () => {
    for (const bad of ["a b", "a;b", "$(x)", "../etc", "-rf", "a'b", ""]) expect(ZLibvirtName.safeParse(bad).success).toBe(false);
    expect(ZLibvirtName.safeParse("tiny.qcow2").success).toBe(true);
  });
});
