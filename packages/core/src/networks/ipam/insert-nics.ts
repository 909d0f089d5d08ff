import { randomUUID } from "node:crypto";
import type { Job, Tx } from "@carve/db";
import type { TAllocatedNic } from "./address-book.ts";
import { randomMac } from "./mac.ts";

/** A NIC to write for a VM written in the same transaction, and the vm.create Job whose payload lists it. */
export interface TNicWrite {
  vmId: string;
  job: Job;
  nic: TAllocatedNic;
}

const MAC_ATTEMPTS = 8;

/**
 * Writes the NICs of VMs just written, in one statement. A MAC another VM of the fleet already has
 * (another transaction drew it: the unique index says so) is drawn again and the Job's payload
 * corrected, in the database and in `job` as returned; the address was reserved under the network's
 * lock, so only the MAC can collide. `nextMac` is for tests.
 */
export async function insertNics(tx: Tx, writes: TNicWrite[], nextMac: () => string = () => randomMac()): Promise<void> {
  let pending = writes;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAC_ATTEMPTS) throw new Error(`could not draw a free MAC address for ${pending.length} NIC(s) in ${MAC_ATTEMPTS} attempts`);
    if (attempt > 0) {
      for (const write of pending) await redrawMac(tx, write, nextMac);
    }
    const rows = pending.map(({ vmId, nic }) => ({ id: randomUUID(), vmId, networkId: nic.networkId, mac: nic.mac, ip: nic.ip, deviceIndex: nic.deviceIndex }));
    const inserted = await tx.$queryRaw<{ vmId: string }[]>`
      INSERT INTO "Nic" (id, "vmId", "networkId", mac, ip, "deviceIndex", "createdAt")
      SELECT id, "vmId", "networkId", mac, ip, "deviceIndex", now()
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(id uuid, "vmId" uuid, "networkId" uuid, mac text, ip text, "deviceIndex" int)
      ON CONFLICT (mac) DO NOTHING
      RETURNING "vmId"::text AS "vmId"`;
    const done = new Set(inserted.map((r) => r.vmId));
    pending = pending.filter((w) => !done.has(w.vmId));
  }
}

/** A new MAC for a NIC whose MAC was taken: in the NIC, the agent's spec and the Job's payload. */
async function redrawMac(tx: Tx, write: TNicWrite, nextMac: () => string): Promise<void> {
  const mac = nextMac();
  write.nic.mac = mac;
  write.nic.spec.mac = mac;
  const request = write.job.request as { payload?: { nics?: { mac: string }[] } } | null;
  // The payload lists NICs in device order.
  const index = write.nic.deviceIndex;
  const listed = request?.payload?.nics?.[index];
  if (listed) listed.mac = mac;
  await tx.$executeRaw`
    UPDATE "Job" SET request = jsonb_set(request, ARRAY['payload', 'nics', ${String(index)}, 'mac'], to_jsonb(${mac}::text))
     WHERE id = ${write.job.id}::uuid AND request #> '{payload,nics}' IS NOT NULL`;
}
