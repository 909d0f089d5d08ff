import type { Prisma } from "@carve/db";
import { z } from "zod";

/** What a volume.migrate Job records (non-secret) so its outcome can be settled: where from, where to. */
export const ZMigrationRecord = z.object({
  volumeId: z.uuid(),
  volumeName: z.string(),
  previousState: z.enum(["Ready", "Attached"]),
  sizeGiB: z.number().int(),
  from: z.object({ poolId: z.uuid(), pool: z.string(), hostId: z.uuid(), host: z.string() }),
  to: z.object({ poolId: z.uuid(), pool: z.string(), hostId: z.uuid(), host: z.string() }),
  receiveJobId: z.uuid(),
  /** The stopped VM whose disk this is (locked by the job meanwhile); absent for a detached volume. */
  vmId: z.uuid().optional(),
});
export type TMigrationRecord = z.infer<typeof ZMigrationRecord>;

/** The migration record of a volume.migrate Job's request, or null for anything else. */
export function readMigrationRecord(request: Prisma.JsonValue): TMigrationRecord | null {
  if (!request || typeof request !== "object" || Array.isArray(request)) return null;
  const parsed = ZMigrationRecord.safeParse(request["migration"]);
  return parsed.success ? parsed.data : null;
}

/** The hosts that see a pool, from its PoolHost rows. */
export function poolHostsIn<H>(pool: { hosts: { host: H }[] }): H[] {
  return pool.hosts.map((row) => row.host);
}
