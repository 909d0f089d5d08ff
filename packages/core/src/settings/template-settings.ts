import type { Db, Tx } from "@carve/db";
import { z } from "zod";
import { readSettingGroup, writeSettingGroup } from "./setting-group.ts";

/** A source host for template downloads: `name` (any port) or `name:port`; IPv6 in brackets. */
export const ZAllowedHost = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/,
    "must be a host name or address, optionally with :port (e.g. cloud.debian.org or [2001:db8::1]:8443)",
  );

/** Template download knobs, stored as settings (`templates.allowedHosts`, …). */
export const ZTemplateSettings = z.object({
  /** Hosts image downloads (and every redirect) may come from; empty: none. */
  allowedHosts: z.array(ZAllowedHost).default([]),
  /** Lets downloads reach loopback and private (RFC 1918, CGNAT, ULA) addresses. */
  allowPrivateAddresses: z.boolean().default(false),
  /** Largest image in bytes. */
  maxBytes: z.number().int().min(1).default(64 * 1024 ** 3),
});
export type TTemplateSettings = z.infer<typeof ZTemplateSettings>;

/** The setting keys, for messages that tell an admin what to change. */
export const TEMPLATE_SETTING_KEYS = {
  allowedHosts: "templates.allowedHosts",
  allowPrivateAddresses: "templates.allowPrivateAddresses",
  maxBytes: "templates.maxBytes",
} as const;

/** The template settings in force; a stored value that no longer parses falls back to its default. */
export async function readTemplateSettings(db: Db | Tx): Promise<TTemplateSettings> {
  const stored = await readSettingGroup(db, TEMPLATE_SETTING_KEYS);
  const defaults = ZTemplateSettings.parse({});
  const field = <K extends keyof TTemplateSettings>(name: K): TTemplateSettings[K] => {
    const parsed = ZTemplateSettings.shape[name].safeParse(stored[name]);
    return parsed.success ? (parsed.data as TTemplateSettings[K]) : defaults[name];
  };
  return { allowedHosts: field("allowedHosts"), allowPrivateAddresses: field("allowPrivateAddresses"), maxBytes: field("maxBytes") };
}

/** Stores template settings (admin only; checked by the caller's use-case). */
export async function writeTemplateSettings(db: Db | Tx, settings: Partial<TTemplateSettings>, actorId: string | null): Promise<void> {
  await writeSettingGroup(db, TEMPLATE_SETTING_KEYS, settings, actorId);
}
