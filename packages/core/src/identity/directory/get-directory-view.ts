import { requireAdmin, type TActor } from "../actor.ts";
import { ZDirectoryConfig, type TDirectoryConfig } from "./directory-config.ts";
import { BIND_PASSWORD_SETTING, DIRECTORY_SETTING } from "./directory-settings.ts";
import type { TIdentityDeps } from "../identity-options.ts";

export interface TDirectoryView {
  configured: boolean;
  config: TDirectoryConfig | null;
  /** Whether a service password is stored (it is never shown). */
  bindPasswordSet: boolean;
}

/** The directory settings as saved, without the password. Admins only. */
export async function getDirectoryView(deps: TIdentityDeps, actor: TActor): Promise<TDirectoryView> {
  requireAdmin(actor, "see the directory settings");
  const rows = await deps.db.setting.findMany({ where: { key: { in: [DIRECTORY_SETTING, BIND_PASSWORD_SETTING] } }, select: { key: true, value: true } });
  const saved = rows.find((r) => r.key === DIRECTORY_SETTING);
  const parsed = saved ? ZDirectoryConfig.safeParse(saved.value) : null;
  return { configured: Boolean(parsed?.success), config: parsed?.success ? parsed.data : null, bindPasswordSet: rows.some((r) => r.key === BIND_PASSWORD_SETTING) };
}
