import { z } from "zod";

/** A storage pool as libvirt reports it, in bytes. */
export const ZPoolReport = z.object({
  name: z.string(),
  active: z.boolean(),
  capacityBytes: z.number().nonnegative(),
  allocationBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
});
export type TPoolReport = z.infer<typeof ZPoolReport>;

/** What an agent writes under its heartbeat key: liveness, node size and its pools' usage. */
export const ZHeartbeat = z.object({
  at: z.string(),
  hostname: z.string(),
  cpus: z.number().int(),
  memoryMiB: z.number().int(),
  agentVersion: z.string(),
  protocolVersion: z.number().int(),
  pools: z.array(ZPoolReport).default([]),
});
export type THeartbeat = z.infer<typeof ZHeartbeat>;
