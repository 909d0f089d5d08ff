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
  /**
   * The agent's long-lived X25519 public key (DER, base64): core seals secrets in job payloads to
   * it (see join-seal.ts). The controller records it on the host, so hosts that never ran
   * `carve-agent join` (and agents whose key was regenerated) are covered too.
   */
  sealKey: z.string().max(200).optional(),
  /**
   * How other hosts live-migrate VMs here (the agent's CARVE_MIGRATION_URI, CARVE_MIGRATION_ADDRESS
   * and console log directory); absent: the host cannot receive live migrations. Loose on purpose:
   * a malformed value must not make the whole beat unreadable (the job payload checks it strictly).
   */
  migration: z
    .object({ uri: z.string().max(1000), address: z.string().max(300).optional(), consoleLogDir: z.string().max(4096).optional() })
    .optional(),
  /** Where this host's agent receives volume streams (storage migration): HOST:PORT, from CARVE_AGENT_MIGRATION_ADVERTISE/LISTEN. */
  storageMigration: z.object({ address: z.string().max(300) }).optional(),
  /** Where this host's agent serves consoles (TLS-PSK): HOST:PORT, from CARVE_AGENT_CONSOLE_ADVERTISE/LISTEN; absent: none. */
  console: z.object({ address: z.string().max(300) }).optional(),
});
export type THeartbeat = z.infer<typeof ZHeartbeat>;
