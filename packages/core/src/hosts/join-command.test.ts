import { describe, expect, it } from "vitest";
import { joinCommand } from "./join-command.ts";

const TOKEN = "carve-join-abc";

describe("the join command printed for a host", () => {
  it("quotes a URI with a query, so the shell neither globs its '?' nor splits at its '&'", () => {
    const command = joinCommand(TOKEN, "qemu+ssh://root@kvm-1/system?keyfile=/root/.ssh/id&no_verify=1", { redisUrl: "redis://mgmt:6379", queuePrefix: "bull" });
    expect(command).toBe("CARVE_JOIN_TOKEN=carve-join-abc carve-agent join --redis redis://mgmt:6379 --uri 'qemu+ssh://root@kvm-1/system?keyfile=/root/.ssh/id&no_verify=1'");
  });

  it("leaves plain words as they are", () => {
    expect(joinCommand(TOKEN, "qemu:///system", { redisUrl: "redis://mgmt:6379", queuePrefix: "carve" })).toBe("CARVE_JOIN_TOKEN=carve-join-abc carve-agent join --redis redis://mgmt:6379 --uri qemu:///system --prefix carve");
  });
});
