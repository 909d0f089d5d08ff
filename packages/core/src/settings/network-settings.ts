import type { Db, Tx } from "@carve/db";
import { z } from "zod";
import { readSettingGroup, writeSettingGroup } from "./setting-group.ts";

/**
 * The networks the company's own machines are on, by default the three private (RFC 1918) ranges.
 * Security-group rules whose source is "company" (the default group's SSH and ICMP, `vm open`)
 * let these in. Not 0.0.0.0/0: a VM on a bridged network may be reachable from beyond the LAN
 * (a NAT port-forward, a VPN concentrator with public peers), and a default that opens SSH to the
 * whole internet is the one mistake security groups exist to prevent. An admin narrows the
 * ranges to the real office and VPN networks (`carve settings network --company-cidr …`).
 */
export const DEFAULT_COMPANY_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/** Network settings, stored as settings (`network.companyCidrs`). */
export const ZNetworkSettings = z.object({
  companyCidrs: z.array(z.string()).min(1).max(100).default([...DEFAULT_COMPANY_CIDRS]),
});
export type TNetworkSettings = z.infer<typeof ZNetworkSettings>;

const KEYS = { companyCidrs: "network.companyCidrs" } as const;

/** The network settings in force; a stored value that no longer parses falls back to its default. */
export async function readNetworkSettings(db: Db | Tx): Promise<TNetworkSettings> {
  const parsed = ZNetworkSettings.safeParse(await readSettingGroup(db, KEYS));
  return parsed.success ? parsed.data : ZNetworkSettings.parse({});
}

/** Stores network settings (admin only; checked by the caller's use-case). */
export async function writeNetworkSettings(db: Db | Tx, settings: Partial<TNetworkSettings>, actorId: string | null): Promise<void> {
  await writeSettingGroup(db, KEYS, settings, actorId);
}
