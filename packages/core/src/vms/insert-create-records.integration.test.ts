import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { insertCreateRecords, type TCreateRecords, type TCreateWrite } from "./insert-create-records.ts";

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
  const need = (diskGiB: number) => ({ vcpus: 2, memoryMiB: 1024, diskGiB, poolThreshold: 0.85 });

  // 9 GiB of a 10 GiB pool is past its 85 % threshold: the host fitted, the pool did not.
  const [refused] = await core.db.$transaction((tx) => insertCreateRecords(tx, [{ records: records("too-big"), now: new Date(), reserve: need(9) }]));
  expect(refused).toBe("noRoom");
  expect(await core.db.host.findUniqueOrThrow({ where: { id: host.id }, select: { vcpusAllocated: true, memMiBAllocated: true } })).toEqual({ vcpusAllocated: 0, memMiBAllocated: 0 });
  expect(await core.db.vm.count()).toBe(0);
  expect(await core.db.job.count()).toBe(0);

  const [created] = await core.db.$transaction((tx) => insertCreateRecords(tx, [{ records: records("fits"), now: new Date(), reserve: need(5) }]));
  if (typeof created !== "object") throw new Error(`not created: ${created}`);
  expect(created.vm).toMatchObject({ name: "fits", state: "Creating", hostId: host.id });
  expect(await core.db.host.findUniqueOrThrow({ where: { id: host.id }, select: { vcpusAllocated: true, memMiBAllocated: true } })).toEqual({ vcpusAllocated: 2, memMiBAllocated: 1024 });
  expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } })).reservedBytes).toBe(5n * 1024n ** 3n);
  expect(await core.db.volume.count({ where: { vmId: created.vm.id } })).toBe(1);
  expect(await core.db.event.count({ where: { vmId: created.vm.id, toState: "Creating" } })).toBe(1);

  // The owner already has a live VM of that name: refused before anything is reserved.
  const [again] = await core.db.$transaction((tx) => insertCreateRecords(tx, [{ records: records("fits"), now: new Date(), reserve: need(1) }]));
  expect(again).toBe("nameTaken");
  expect(await core.db.host.findUniqueOrThrow({ where: { id: host.id }, select: { vcpusAllocated: true } })).toEqual({ vcpusAllocated: 2 });
  expect(await core.db.vm.count()).toBe(1);
});

it("reserves and writes many creates in one statement, host by host: a host or pool without room for its creates' share writes none of them and keeps nothing", async () => {
  const alice = await createTestUser(core, "alice");
  const { template, hosts, offerings } = await seedInfra(core, { hosts: 3, cpus: 8, memoryMiB: 16384, poolGiB: 10 });
  const [a, b, c] = hosts;
  if (!a || !b || !c) throw new Error("three hosts expected");
  const write = (name: string, on: typeof a, memoryMiB: number, diskGiB: number): TCreateWrite => {
    const vmId = randomUUID();
    return {
      records: {
        vm: { id: vmId, name, description: null, ownerId: alice.userId, hostId: on.host.id, templateId: template.id, offeringId: offerings.small.id, vcpus: 2, memoryMiB, jobId: randomUUID() },
        volume: { id: randomUUID(), name: `${name}-root`, poolId: on.pool.id, libvirtName: `carve-${vmId}`, sizeGiB: diskGiB },
        job: { request: { payload: { name }, previousState: null } },
        event: { message: `${name} is being created` },
      },
      now: new Date(),
      reserve: { vcpus: 2, memoryMiB, diskGiB, poolThreshold: 0.85 },
    };
  };
  const writes = [
    write("a-1", a, 1024, 2),
    write("b-1", b, 6144, 1), // b: 3 × 6 GiB of memory is more than its 16 GiB
    write("a-2", a, 1024, 2),
    write("c-1", c, 1024, 5), // c: 2 × 5 GiB is past its pool's 85 % of 10 GiB; its host fits
    write("b-2", b, 6144, 1),
    write("c-2", c, 1024, 5),
    write("a-3", a, 1024, 2),
    write("b-3", b, 6144, 1),
  ];
  const written = await core.db.$transaction((tx) => insertCreateRecords(tx, writes));
  expect(written.map((w) => (typeof w === "string" ? w : w.vm.name))).toEqual(["a-1", "noRoom", "a-2", "noRoom", "noRoom", "noRoom", "a-3", "noRoom"]);
  const use = async (on: typeof a) => ({
    ...(await core.db.host.findUniqueOrThrow({ where: { id: on.host.id }, select: { vcpusAllocated: true, memMiBAllocated: true } })),
    reservedGiB: Number((await core.db.storagePool.findUniqueOrThrow({ where: { id: on.pool.id } })).reservedBytes / 1024n ** 3n),
  });
  expect(await use(a)).toEqual({ vcpusAllocated: 6, memMiBAllocated: 3072, reservedGiB: 6 });
  expect(await use(b)).toEqual({ vcpusAllocated: 0, memMiBAllocated: 0, reservedGiB: 0 });
  expect(await use(c)).toEqual({ vcpusAllocated: 0, memMiBAllocated: 0, reservedGiB: 0 });
  expect((await core.db.vm.findMany({ orderBy: { name: "asc" }, select: { name: true, state: true, activeJobId: true } })).map((v) => [v.name, v.state])).toEqual([
    ["a-1", "Creating"], ["a-2", "Creating"], ["a-3", "Creating"],
  ]); // prettier-ignore
  const jobs = await core.db.job.findMany({ select: { id: true, state: true, request: true, vm: { select: { name: true, activeJobId: true } } } });
  expect(jobs).toHaveLength(3);
  for (const job of jobs) expect(job).toMatchObject({ state: "Queued", vm: { activeJobId: job.id }, request: { payload: { name: job.vm?.name } } });
  expect(await core.db.volume.count({ where: { kind: "Root", state: "Allocating" } })).toBe(3);
  expect(await core.db.event.count({ where: { toState: "Creating" } })).toBe(3);
  const first = await core.db.vm.findFirstOrThrow({ where: { name: "a-1" }, select: { createdAt: true, volumes: { select: { createdAt: true } } } });
  expect([first.createdAt, ...first.volumes.map((v) => v.createdAt)].map((d) => d.getTime())).toEqual([writes[0]?.now.getTime(), writes[0]?.now.getTime()]);
});
