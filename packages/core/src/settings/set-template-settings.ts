import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { readTemplateSettings, writeTemplateSettings, ZAllowedHost, type TTemplateSettings } from "./template-settings.ts";

const ZHosts = z.array(ZAllowedHost).max(256, "has more than 256 hosts");

/** The changes (a field left out stays as it is); the REST API's body as it is. */
export const ZSetTemplateSettingsInput = z
  .object({
    /** Replaces the allow-list (an empty list allows no host). */
    allowedHosts: ZHosts.optional(),
    /** Added to the allow-list. */
    addAllowedHosts: ZHosts.optional(),
    /** Taken off the allow-list. */
    removeAllowedHosts: ZHosts.optional(),
    allowPrivateAddresses: z.boolean({ error: "must be true or false" }).optional(),
    maxBytes: z.number({ error: "must be a number of bytes" }).int("must be a whole number of bytes").min(1, "must be at least 1 byte").optional(),
  })
  .strict();

/**
 * Changes where template images may be downloaded from and how large they may be (admins only);
 * returns the settings in force. Without any change it only reads them.
 */
export async function setTemplateSettings(deps: CoreDeps, actor: TActor, input: unknown): Promise<TTemplateSettings> {
  requireAdmin(actor, "change template download settings");
  const { allowedHosts, addAllowedHosts, removeAllowedHosts, ...flags } = parseInput(ZSetTemplateSettingsInput, input);
  return deps.db.$transaction(async (tx) => {
    const current = await readTemplateSettings(tx);
    const changes: Partial<TTemplateSettings> = { ...flags };
    if (allowedHosts || addAllowedHosts || removeAllowedHosts) {
      const hosts = new Set([...(allowedHosts ?? current.allowedHosts), ...(addAllowedHosts ?? [])]);
      for (const host of removeAllowedHosts ?? []) hosts.delete(host);
      changes.allowedHosts = [...hosts];
    }
    if (Object.values(changes).every((value) => value === undefined)) return current;
    await writeTemplateSettings(tx, changes, actorId(actor));
    await recordEvent(tx, { type: "settings.templates", actor, message: "template download settings changed", data: changes });
    return readTemplateSettings(tx);
  });
}
