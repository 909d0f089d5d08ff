import { joinTokenProof, PROTOCOL_VERSION } from "@carve/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import type { TUserActor } from "../identity/actor.ts";
import { addPool } from "../pools/add-pool.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { addHost } from "./add-host.ts";
import { joinHost } from "./join-host.ts";
import { listLiveHostIds } from "./list-live-host-ids.ts";
import { removeHost } from "./remove-host.ts";

let core: TTestCore;
let admin: TUserActor;
beforeEach(async () => {
  core = await createTestCore();
  admin = await createTestUser(core, "admin", "Admin");
});
afterEach(async () => core.drop());

const options = { prefix: "bull", provision: async () => ({ redisUser: null }) };
const pool = { name: "images", type: "dir", path: "/srv/images", active: true, capacityBytes: 1e12, allocationBytes: 0, availableBytes: 1e12 };
const request = (token: string) => ({
  proof: joinTokenProof(token), replyId: "r".repeat(24), publicKey: "k", uri: "qemu:///system", hostname: "hv1", cpus: 8, memoryMiB: 16384,
  hypervisor: "kvm", agentVersion: "0.1.0", protocolVersion: PROTOCOL_VERSION, pools: [pool],
}); // prettier-ignore

describe("removing a host", () => {
  it("is refused while it has VMs that are not destroyed, naming them", async () => {
    const { hosts, template, offerings } = await seedInfra(core, { hosts: 1 });
    const host = hosts[0]?.host;
    if (!host) throw new Error("seedInfra made no host");
    const owner = await createTestUser(core, "dana");
    for (const [name, state] of [["web-1", "Running"], ["db-1", "Unknown"], ["old", "Destroyed"]] as const) {
      await core.db.vm.create({ data: { name, state, ownerId: owner.userId, hostId: host.id, templateId: template.id, offeringId: offerings.small.id, vcpus: 1, memoryMiB: 512 } });
    }
    const error = await removeHost(core, admin, { host: host.name }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarveError);
    expect((error as CarveError).code).toBe("HAS_DEPENDENTS");
    expect((error as CarveError).message).toBe(
      "Host host-1 is still used by 2 VMs (web-1 (dana, Running), db-1 (dana, Unknown)). Remove them in this order: 1. destroy those VMs ('carve vm destroy NAME --wait') or have their owners destroy them; 2. remove the host ('carve host remove host-1')",
    );
    expect((await core.db.host.findUniqueOrThrow({ where: { id: host.id } })).state).toBe("Up");
  });

  it("voids its credential and join token; adding it again revives it and the re-join adopts its old pool", async () => {
    const first = await addHost(core, admin, { name: "hv1" });
    await addPool(core, admin, { name: "images", hosts: ["hv1"], libvirtName: "images", path: "/srv/images" });
    await joinHost(core, request(first.joinToken.token), options);
    const pending = await addHost(core, admin, { name: "hv1" }).catch((e: unknown) => e);
    expect((pending as CarveError).message).toContain("'carve host join-token hv1'");

    const removed = await removeHost(core, admin, { host: "hv1" });
    expect(removed).toMatchObject({ state: "Removed", credentialHash: null });
    // The controller stops listening to a removed host's queue, and listens again once it is re-added.
    expect(await listLiveHostIds(core)).toEqual([]);
    const again = await addHost(core, admin, { name: "hv1", uri: "qemu:///system" });
    expect(again.id).toBe(first.id);
    expect(await listLiveHostIds(core)).toEqual([first.id]);
    expect(again.state).toBe("Disconnected");
    const grant = await joinHost(core, request(again.joinToken.token), options);
    expect(grant.pools).toEqual([expect.objectContaining({ libvirtName: "images", outcome: "linked", pool: "images" })]);
    expect(grant.missingPools).toEqual([]);
    const events = await core.db.event.findMany({ where: { hostId: first.id }, orderBy: { id: "asc" }, select: { type: true } });
    // Adding the pool queued its definition on the host (it runs when the agent comes).
    expect(events.map((e) => e.type)).toEqual(["host.added", "pool.define", "host.joined", "host.removed", "host.added", "host.joined"]);
  });
});
