import { z } from "zod";
import { CarveError } from "../../errors/index.ts";
import { requireAdmin, actorId, type TActor } from "../actor.ts";
import { DIRECTORY_PRESETS, insecureReason, ZDirectoryConfig } from "./directory-config.ts";
import { DIRECTORY_SETTING, saveDirectory } from "./directory-settings.ts";
import { getDirectoryView, type TDirectoryView } from "./get-directory-view.ts";
import { identityOptions, type TIdentityDeps } from "../identity-options.ts";
import { applyGroupMapping } from "../map-group.ts";
import { parseInput } from "../../validation/parse-input.ts";

/** Strict: an unknown field (from the REST API) is refused, never ignored. */
export const ZConfigureDirectoryInput = z.strictObject({
  /** Start from the OpenLDAP or Active Directory defaults instead of the saved settings. */
  preset: z.enum(["openldap", "activeDirectory"], { error: "must be openldap or activeDirectory" }).optional(),
  /** Service password: a string sets it, null removes it, absent keeps the saved one. */
  bindPassword: z.string().min(1, "must not be empty (leave it out to keep the saved one)").max(1024).nullable().optional(),
  settings: z.record(z.string(), z.unknown()).default({}),
});

/**
 * Saves the directory settings (admins only): the saved ones, or a preset's, overlaid with the
 * given ones, validated as a whole; the bind password is sealed with CARVE_SECRET_KEY. Plain
 * ldap:// without StartTLS is refused unless allowInsecure is set. Group mappings in the
 * settings are applied to the groups at once. Returns the settings (never the password).
 */
export async function configureDirectory(deps: TIdentityDeps, actor: TActor, input: unknown): Promise<TDirectoryView> {
  requireAdmin(actor, "configure the directory");
  const data = parseInput(ZConfigureDirectoryInput, input);
  const saved = await deps.db.setting.findUnique({ where: { key: DIRECTORY_SETTING } });
  const base = data.preset ? DIRECTORY_PRESETS[data.preset] : ((saved?.value ?? {}) as Record<string, unknown>);
  const merged = { ...base, ...data.settings, groups: { ...(base["groups" as keyof typeof base] ?? {}), ...((data.settings["groups"] as object | undefined) ?? {}) } };
  const config = parseInput(ZDirectoryConfig, merged);
  const insecure = insecureReason(config);
  if (insecure) throw new CarveError("INVALID_INPUT", `Invalid input. url: ${insecure}`, { fields: [{ field: "url", message: insecure }] });
  if (!config.bindDn && !config.userDnTemplate) {
    const message = "give a service account (bindDn and its password) or a userDnTemplate such as uid={username},ou=People,dc=example,dc=org";
    throw new CarveError("INVALID_INPUT", `Invalid input. bindDn: ${message}`, { fields: [{ field: "bindDn", message }] });
  }
  if (config.groups.mode === "search" && !config.groups.base) {
    const message = "is required when groups are searched: the DN under which groups live";
    throw new CarveError("INVALID_INPUT", `Invalid input. groups.base: ${message}`, { fields: [{ field: "groups.base", message }] });
  }
  const { secretKey } = identityOptions(deps);
  await deps.db.$transaction(async (tx) => {
    await saveDirectory(tx, config, data.bindPassword, secretKey, actorId(actor));
    for (const mapping of config.groupMappings) await applyGroupMapping(tx, actor, mapping);
  });
  deps.log.info({ actor: actorId(actor), url: config.url }, "directory settings saved");
  return getDirectoryView(deps, actor);
}
