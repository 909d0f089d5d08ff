import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../../testing/index.ts";
import { createVm } from "../../vms/create-vm.ts";
import { createNetwork } from "../create-network.ts";
import { AddressBook } from "./address-book.ts";
import { insertNics } from "./insert-nics.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

describe("insertNics", () => {
  it("draws a MAC again when another VM of the fleet has it, and corrects the job's payload", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 1 });
    const lan = await createNetwork(core, admin, { name: "dev-lan", kind: "Managed", cidr: "10.0.0.0/24", gateway: "10.0.0.1", rangeStart: "10.0.0.10", rangeEnd: "10.0.0.20", hosts: ["host-1"], isDefault: true });
    const first = await createVm(core, alice, { name: "first", template: "tiny", offering: "small" });
    const taken = (await core.db.nic.findFirstOrThrow({ where: { vmId: first.vm.id } })).mac;
    // A second VM whose NIC drew the same MAC (as another transaction might have): written without its NIC.
    const second = await createVm(core, alice, { name: "second", template: "tiny", offering: "small" });
    await core.db.nic.deleteMany({ where: { vmId: second.vm.id } });
    await core.db.$transaction(async (tx) => {
      const book = new AddressBook(tx, () => taken);
      const nic = await book.allocate(lan.id, "second");
      const job = await tx.job.findUniqueOrThrow({ where: { id: second.job.id } });
      const request = job.request as { payload: { nics: (typeof nic.spec)[] } };
      request.payload.nics = [nic.spec];
      await tx.job.update({ where: { id: job.id }, data: { request } });
      await insertNics(tx, [{ vmId: second.vm.id, job, nic }], () => "52:54:00:ab:cd:ef");
      expect(nic.mac).toBe("52:54:00:ab:cd:ef");
      expect((job.request as { payload: { nics: { mac: string }[] } }).payload.nics[0]?.mac).toBe("52:54:00:ab:cd:ef");
    });
    const nics = await core.db.nic.findMany({ orderBy: { ip: "asc" } });
    expect(nics.map((n) => [n.ip, n.mac])).toEqual([
      ["10.0.0.10", taken],
      ["10.0.0.11", "52:54:00:ab:cd:ef"],
    ]);
    const stored = await core.db.job.findUniqueOrThrow({ where: { id: second.job.id } });
    expect((stored.request as { payload: { nics: { mac: string }[] } }).payload.nics[0]?.mac).toBe("52:54:00:ab:cd:ef");
  });
});
