import { describe, expect, it } from "vitest";
import { explainNoCapacity, placeVm, type TPlacementHost } from "./place-vm.ts";

const host = (name: string, over: Partial<TPlacementHost> = {}): TPlacementHost => ({
  id: name,
  name,
  state: "Up",
  cpus: 4,
  memoryMiB: 8192,
  cpuOvercommit: 1,
  memOvercommit: 1,
  vcpusAllocated: 0,
  memMiBAllocated: 0,
  templatePoolIds: ["p"],
  ...over,
});

describe("placeVm", () => {
  it("ranks hosts with the most free memory first (spread)", () => {
    const result = placeVm([host("a", { memMiBAllocated: 4096 }), host("b"), host("c", { memMiBAllocated: 1024 })], { vcpus: 1, memoryMiB: 512 });
    expect(result.candidates.map((h) => h.name)).toEqual(["b", "c", "a"]);
    expect(result.rejections).toEqual([]);
  });

  it("gives each rejected host its own reason, counting overcommit", () => {
    const result = placeVm(
      [
        host("down", { state: "Disconnected" }),
        host("cpu", { vcpusAllocated: 3 }),
        host("mem", { memMiBAllocated: 8000 }),
        host("nopool", { templatePoolIds: [] }),
        host("over", { vcpusAllocated: 6, cpuOvercommit: 2 }),
      ],
      { vcpus: 2, memoryMiB: 512 },
    );
    expect(result.candidates.map((h) => h.name)).toEqual(["over"]);
    expect(result.rejections).toEqual([
      { host: "down", reason: "is Disconnected" },
      { host: "cpu", reason: "has 1 free vCPUs, 2 needed" },
      { host: "mem", reason: "has 192 MiB free memory, 512 MiB needed" },
      { host: "nopool", reason: "has no storage pool holding the template" },
    ]);
  });

  it("explains a refusal host by host with a next step", () => {
    const text = explainNoCapacity({ vcpus: 4, memoryMiB: 4096 }, [{ host: "host-a", reason: "is Maintenance" }]);
    expect(text).toBe(
      "No host can take a 4-vCPU, 4096 MiB VM: host-a is Maintenance. Destroy VMs you no longer need, choose a smaller offering, or ask an admin to add capacity.",
    );
    expect(explainNoCapacity({ vcpus: 1, memoryMiB: 1 }, [])).toContain("no hosts are registered");
  });
});
