import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { insertCreateRecords, type TCreateRecords } from "./insert-create-records.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

it("reserves capacity and writes a create's rows in one statement, or does neither: no room (the host's share given back), or the name taken", async () => {
  const alice = await createTestUser(core, "alice");
  const { template, hosts, offerings } = await seedInfra(core, { hosts: 1, poolGiB: 10 });
  const { host, pool } = hosts[0] ?? {};
  if (!host || !pool) throw new Error("one host expected");
  const records = (name: string): TCreateRecords => {
    const vmId = randomUUID();
    return {
      vm: { id: vmId, name, description: null, ownerId: alice.userId, hostId: host.id, templateId: template.id, offeringId: offerings.small.id, vcpus: 2, memoryMiB: 1024, jobId: randomUUID() },
      volume: { id: randomUUID(), name: `${name}-root`, poolId: pool.id, libvirtName: `carve-${vmId}`, sizeGiB: 5 },
      job: { request: { payload: {}, previousState: null } },
      event: { message: `${name} is being created` },
    };
  };
  const reservation = (diskGiB: number) => ({ target: { hostId: host.id, poolId: pool.id }, need: { vcpus: 2, memoryMiB: 1024, diskGiB, poolThreshold: 0.85 } });

  // 9 GiB of a 10 GiB pool is past its 85 % threshold: the host fitted, the pool did not.
  const refused = await core.db.$transaction((tx) => insertCreateRecords(tx, records("too-big"), new Date(), reservation(9)));
  expect(refused).toBe("noRoom");
  expect(await core.db.host.findUniqueOrThrow({ where: { id: host.id }, select: { vcpusAllocated: true, memMiBAllocated: true } })).toEqual({ vcpusAllocated: 0, memMiBAllocated: 0 });
  expect(await core.db.vm.count()).toBe(0);
  expect(await core.db.job.count()).toBe(0);

  const created = await core.db.$transaction((tx) => insertCreateRecords(tx, records("fits"), new Date(), reservation(5)));
  if (typeof created === "string") throw new Error(`not created: ${created}`);
  expect(created.vm).toMatchObject({ name: "fits", state: "Creating", hostId: host.id });
  expect(await core.db.host.findUniqueOrThrow({ where: { id: host.id }, select: { vcpusAllocated: true, memMiBAllocated: true } })).toEqual({ vcpusAllocated: 2, memMiBAllocated: 1024 });
  expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } })).reservedBytes).toBe(5n * 1024n ** 3n);
  expect(await core.db.volume.count({ where: { vmId: created.vm.id } })).toBe(1);
  expect(await core.db.event.count({ where: { vmId: created.vm.id, toState: "Creating" } })).toBe(1);

  // The owner already has a live VM of that name: refused before anything is reserved.
  const again = await core.db.$transaction((tx) => insertCreateRecords(tx, records("fits"), new Date(), reservation(1)));
  expect(again).toBe("nameTaken");
  expect(await core.db.host.findUniqueOrThrow({ where: { id: host.id }, select: { vcpusAllocated: true } })).toEqual({ vcpusAllocated: 2 });
  expect(await core.db.vm.count()).toBe(1);
});
