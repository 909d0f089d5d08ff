import { joinTokenProof, PROTOCOL_VERSION, type TJoinPool } from "@carve/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { sha256 } from "../identity/api-key-format.ts";
import type { TUserActor } from "../identity/actor.ts";
import { addPool } from "../pools/add-pool.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { addHost } from "./add-host.ts";
import { joinHost, type TJoinOptions } from "./join-host.ts";
import { issueJoinToken, joinTokenHash } from "./join-token.ts";

let core: TTestCore;
let admin: TUserActor;
const provisioned: { hostId: string; hash: string }[] = [];
const options: TJoinOptions = { prefix: "bull", provision: async (hostId, hash) => (provisioned.push({ hostId, hash }), { redisUser: `carve-host-${hostId}` }) };
beforeEach(async () => {
  core = await createTestCore();
  admin = await createTestUser(core, "admin", "Admin");
  provisioned.length = 0;
});
afterEach(async () => core.drop());

const libvirtPool = (name: string, path: string | null): TJoinPool => ({ name, type: "dir", path, active: true, capacityBytes: 500e9, allocationBytes: 100e9, availableBytes: 400e9 });
const request = (token: string, pools: TJoinPool[] = []) => ({
  proof: joinTokenProof(token), replyId: "r".repeat(24), publicKey: "unused-here", uri: "qemu:///system", hostname: "hv1.lan", cpus: 48, memoryMiB: 262_144,
  hypervisor: "kvm", agentVersion: "0.1.0", protocolVersion: PROTOCOL_VERSION, pools,
}); // prettier-ignore
async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CarveError);
  return error as CarveError;
}

describe("host join tokens", () => {
  it("are shown once, stored as the sha256 of their proof, expire after the default hour, and join the host once", async () => {
    const host = await addHost(core, admin, { name: "hv1" });
    expect(host).toMatchObject({ state: "Disconnected", uri: "qemu:///system" });
    expect(host.joinToken.token).toMatch(/^carve-join-[A-Za-z0-9_-]{43}$/);
    expect(host.joinToken.expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    const rows = await core.db.oneTimeToken.findMany({ where: { kind: "HostJoin" } });
    expect(rows).toEqual([expect.objectContaining({ hostId: host.id, hash: joinTokenHash(joinTokenProof(host.joinToken.token)), usedAt: null })]);
    expect(JSON.stringify(rows)).not.toContain(host.joinToken.token);

    const grant = await joinHost(core, request(host.joinToken.token), options);
    expect(grant).toMatchObject({ hostId: host.id, hostName: "hv1", redisUser: `carve-host-${host.id}`, queuePrefix: "bull" });
    const joined = await core.db.host.findUniqueOrThrow({ where: { id: host.id } });
    expect(joined).toMatchObject({ cpus: 48, memoryMiB: 262_144, hypervisor: "kvm", hostname: "hv1.lan", agentVersion: "0.1.0", state: "Disconnected" });
    expect(joined.credentialHash).toBe(sha256(grant.credential));
    // The key the answer was sealed to is the host's own: job secrets are sealed to it later.
    expect(joined.sealKey).toBe("unused-here");
    expect(provisioned).toEqual([{ hostId: host.id, hash: sha256(grant.credential) }]);

    const again = await refusal(joinHost(core, request(host.joinToken.token), options));
    expect(again.code).toBe("JOIN_TOKEN_INVALID");
    expect(again.message).toMatch(/was already used .*\('carve host join-token hv1'\)/);
  });

  it("refuses an expired token, an unknown one, and one voided by a newer token, spending nothing", async () => {
    const host = await addHost(core, admin, { name: "hv2", joinTokenTtlMinutes: 5 });
    const later = { ...core, now: () => new Date(Date.now() + 6 * 60_000) };
    expect((await refusal(joinHost(later, request(host.joinToken.token), options))).message).toMatch(/^This join token expired at .*Ask an administrator for a new one \('carve host join-token hv2'\)/);
    expect((await refusal(joinHost(core, request("carve-join-made-up-token"), options))).message).toContain("is not known");
    const fresh = await issueJoinToken(core, admin, { host: "hv2", ttlMinutes: 30 });
    expect((await refusal(joinHost(core, request(host.joinToken.token), options))).code).toBe("JOIN_TOKEN_INVALID");
    expect(await joinHost(core, request(fresh.token), options)).toMatchObject({ hostId: host.id });
    expect(provisioned).toHaveLength(1);
  });

  it("spends a token once under concurrent joins", async () => {
    const host = await addHost(core, admin, { name: "hv3" });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => joinHost(core, request(host.joinToken.token), options)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await core.db.oneTimeToken.count({ where: { usedAt: { not: null } } })).toBe(1);
  });

  it("leaves the token unspent when giving the host its Redis user fails", async () => {
    const host = await addHost(core, admin, { name: "hv4" });
    const failing: TJoinOptions = { prefix: "bull", provision: async () => Promise.reject(new Error("NOPERM")) };
    await expect(joinHost(core, request(host.joinToken.token), failing)).rejects.toThrow("NOPERM");
    expect(await joinHost(core, request(host.joinToken.token), options)).toMatchObject({ hostId: host.id });
  });

  it("adopts pools by target path or name and lists the unknown and the missing ones", async () => {
    const host = await addHost(core, admin, { name: "hv5" });
    await addPool(core, admin, { name: "fast", hosts: ["hv5"], libvirtName: "carve-fast", path: "/srv/fast" });
    await addPool(core, admin, { name: "bulk", hosts: ["hv5"], libvirtName: "bulk", path: "/srv/bulk" });
    await addPool(core, admin, { name: "gone", hosts: ["hv5"], libvirtName: "gone", path: "/srv/gone" });
    const grant = await joinHost(core, request(host.joinToken.token, [libvirtPool("fast-old", "/srv/fast"), libvirtPool("bulk", "/mnt/bulk"), libvirtPool("iso", "/var/lib/libvirt/images")]), options);
    expect(grant.pools).toEqual([
      expect.objectContaining({ libvirtName: "fast-old", outcome: "linked", pool: "fast", hint: expect.stringContaining("adopted under the new name") }),
      expect.objectContaining({ libvirtName: "bulk", outcome: "linked", pool: "bulk" }),
      expect.objectContaining({ libvirtName: "iso", outcome: "unknown", hint: "not registered in Carve: 'carve pool add NAME --host hv5 --libvirt-name iso --path /var/lib/libvirt/images' makes it usable" }),
    ]);
    expect(grant.missingPools).toEqual([{ pool: "gone", libvirtName: "gone", path: "/srv/gone" }]);
    // The missing one is defined by the joined host's agent: one more pool.define after addPool's three.
    const defines = core.queues.byName("pool.define").map((j) => j.envelope.payload as { name: string });
    expect(defines.map((p) => p.name)).toEqual(["carve-fast", "bulk", "gone", "gone"]);
    const fast = await core.db.storagePool.findFirstOrThrow({ where: { name: "fast" } });
    expect(fast).toMatchObject({ libvirtName: "fast-old", capacityBytes: 500_000_000_000n, availableBytes: 400_000_000_000n });
    expect(fast.capacityReportedAt).not.toBeNull();
  });
});
