import { describe, expect, it } from "vitest";
import { explainNoCapacity, placeVm, type TPlacementHost, type TPlacementPool, type TPlacementRequest } from "./place-vm.ts";

const GIB = 1024n ** 3n;
const pool = (name: string, over: Partial<TPlacementPool> = {}): TPlacementPool => ({
  id: name,
  name,
  scope: "Local",
  state: "Up",
  stateReason: null,
  tags: [],
  capacityBytes: 100n * GIB,
  reservedBytes: 0n,
  capacityReported: true,
  hasTemplate: true,
  ...over,
});
const host = (name: string, over: Partial<TPlacementHost> = {}): TPlacementHost => ({
  id: name,
  name,
  state: "Up",
  tags: [],
  cpus: 4,
  memoryMiB: 8192,
  cpuOvercommit: 1,
  memOvercommit: 1,
  vcpusAllocated: 0,
  memMiBAllocated: 0,
  pools: [pool(`${name}-local`)],
  ...over,
});
const request = (over: Partial<TPlacementRequest> = {}): TPlacementRequest => ({
  vcpus: 1,
  memoryMiB: 512,
  diskGiB: 10,
  hostTags: [],
  storageTags: [],
  scope: null,
  policy: "spread",
  poolThreshold: 0.85,
  ...over,
});

describe("placeVm", () => {
  it("spread puts the emptiest host first, pack the fullest that still fits", () => {
    const hosts = [host("a", { memMiBAllocated: 4096 }), host("b"), host("c", { memMiBAllocated: 1024 })];
    expect(placeVm(hosts, request()).candidates.map((c) => c.host.name)).toEqual(["b", "c", "a"]);
    expect(placeVm(hosts, request({ policy: "pack" })).candidates.map((c) => c.host.name)).toEqual(["a", "c", "b"]);
  });

  it("gives each rejected host its own reason, counting overcommit", () => {
    const result = placeVm(
      [
        host("down", { state: "Disconnected" }),
        host("maint", { state: "Maintenance" }),
        host("cpu", { vcpusAllocated: 3 }),
        host("mem", { memMiBAllocated: 8000 }),
        host("over", { vcpusAllocated: 6, cpuOvercommit: 2 }),
        host("gpu", { tags: [] }),
      ],
      request({ vcpus: 2 }),
    );
    // Equally free: spread breaks the tie by name, descending (the order of the index it walks).
    expect(result.candidates.map((c) => c.host.name)).toEqual(["over", "gpu"]);
    expect(result.rejections).toEqual([
      { host: "down", reason: "is Disconnected" },
      { host: "maint", reason: "is Maintenance" },
      { host: "cpu", reason: "has 1 free vCPUs, 2 needed" },
      { host: "mem", reason: "has 192 MiB free memory, 512 MiB needed" },
    ]);
  });

  it("explains pools: zero capacity, unreported, unhealthy, missing template, tags, scope, threshold", () => {
    const result = placeVm(
      [
        host("z", { pools: [pool("p-zero", { capacityBytes: 0n })] }),
        host("u", { pools: [pool("p-new", { capacityReported: false })] }),
        host("h", { pools: [pool("p-sick", { state: "Unhealthy", stateReason: "the mount is gone" })] }),
        host("t", { pools: [pool("p-none", { hasTemplate: false })] }),
        host("g", { pools: [pool("p-plain")] }),
        host("s", { pools: [pool("p-local", { tags: ["ssd"] })] }),
        host("f", { pools: [pool("p-full", { tags: ["ssd"], scope: "Shared", reservedBytes: 80n * GIB })] }),
        host("x", { tags: ["gpu"] }),
      ],
      request({ storageTags: ["ssd"], scope: "Shared", hostTags: [] }),
    );
    const reasons = Object.fromEntries(result.rejections.map((r) => [r.host, r.reason]));
    expect(reasons).toEqual({
      z: "has no pool that fits (p-zero reports zero capacity: check the mount/export)",
      u: "has no pool that fits (p-new has not reported its capacity yet (is the host's agent running?))",
      h: "has no pool that fits (p-sick is Unhealthy: the mount is gone)",
      t: "has no pool that fits (p-none has no copy of the template)",
      g: "has no pool that fits (p-plain is local storage, the offering needs shared)",
      s: "has no pool that fits (p-local is local storage, the offering needs shared)",
      f: "has no pool that fits (p-full has 5 GiB free below its 85 % threshold, 10 GiB needed)",
      x: "has no pool that fits (x-local is local storage, the offering needs shared)",
    });
    const tagged = placeVm([host("s", { pools: [pool("p-plain")] })], request({ storageTags: ["ssd", "nvme"] }));
    expect(tagged.rejections[0]?.reason).toBe("has no pool that fits (p-plain lacks storage tags ssd, nvme)");
    const hostTag = placeVm([host("x")], request({ hostTags: ["gpu"] }));
    expect(hostTag.rejections[0]?.reason).toBe("lacks host tag gpu");
  });

  it("only takes hosts that have the VM's network, saying so for each other host", () => {
    const result = placeVm(
      [host("kvm-1", { networkIds: ["net-1"] }), host("kvm-2", { networkIds: ["net-2"] }), host("kvm-3")],
      request({ network: { id: "net-1", name: "dev-lan" } }),
    );
    expect(result.candidates.map((c) => c.host.name)).toEqual(["kvm-1"]);
    expect(result.rejections).toEqual([
      { host: "kvm-2", reason: "has no network dev-lan" },
      { host: "kvm-3", reason: "has no network dev-lan" },
    ]);
    // No network asked for: any host, as before.
    expect(placeVm([host("kvm-3")], request()).candidates).toHaveLength(1);
  });

  it("prefers a host's local pool to a shared one", () => {
    const result = placeVm([host("a", { pools: [pool("shared", { scope: "Shared" }), pool("local")] })], request());
    expect(result.candidates.map((c) => c.pool.name)).toEqual(["local", "shared"]);
  });

  it("explains a refusal host by host with a next step", () => {
    const text = explainNoCapacity({ vcpus: 4, memoryMiB: 4096 }, [{ host: "host-a", reason: "is Maintenance" }]);
    expect(text).toBe(
      "No host can take a 4-vCPU, 4096 MiB VM: host-a is Maintenance. Destroy VMs you no longer need, choose a smaller offering, or ask an admin to add capacity.",
    );
    expect(explainNoCapacity({ vcpus: 1, memoryMiB: 1 }, [])).toContain("no hosts are registered");
  });

  it("does not send users to free capacity when only the template's copies are missing", () => {
    const result = placeVm([host("a", { pools: [pool("p1", { hasTemplate: false })] })], request());
    const text = explainNoCapacity({ vcpus: 1, memoryMiB: 512 }, result.rejections);
    expect(text).toContain("a has no pool that fits (p1 has no copy of the template)");
    expect(text).toContain("ask an admin to copy it there ('template copy') or to add it again");
    expect(text).not.toContain("smaller offering");
    // A full pool beside the copy-less one: capacity is a reason too, and its fix is still given.
    const mixed = placeVm([host("a", { pools: [pool("p1", { hasTemplate: false }), pool("p2", { reservedBytes: 100n * GIB })] })], request());
    expect(explainNoCapacity({ vcpus: 1, memoryMiB: 512 }, mixed.rejections)).toContain("choose a smaller offering");
  });
});
