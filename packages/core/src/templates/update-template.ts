import type { Template } from "@carve/db";
import { ZGuestUser } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZDescription } from "../validation/fields.ts";
import { invalidInput } from "../validation/invalid-input.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findTemplate, ZTemplateRef } from "./find-template.ts";

export const ZUpdateTemplateInput = z.strictObject({
  template: ZTemplateRef,
  /** null removes it. */
  description: ZDescription.nullable().optional(),
  /** The guest account of the connect line `ssh <loginUser>@<address>`. */
  loginUser: ZGuestUser.optional(),
  supportsPasswordReset: z.boolean({ error: "must be true or false" }).optional(),
  supportsCloudInit: z.boolean({ error: "must be true or false" }).optional(),
});

/**
 * Changes what Carve knows of a template's image (admins only): its description, the user people
 * sign in as (every VM made from it shows the new connect line at once), and whether it has the
 * guest agent or cloud-init. The image itself never changes: register a new template for that.
 * @throws CarveError INVALID_INPUT, TEMPLATE_NOT_FOUND, FORBIDDEN
 */
export async function updateTemplate(deps: CoreDeps, actor: TActor, input: unknown): Promise<Template> {
  requireAdmin(actor, "change templates");
  const { template: ref, ...changes } = parseInput(ZUpdateTemplateInput, input);
  const changed = Object.entries(changes).filter(([, value]) => value !== undefined);
  if (changed.length === 0) {
    throw invalidInput([{ field: "input", message: "changes nothing: give at least one of description, loginUser, supportsPasswordReset, supportsCloudInit" }]);
  }
  return deps.db.$transaction(async (tx) => {
    const current = await findTemplate(tx, ref);
    const template = await tx.template.update({ where: { id: current.id }, data: changes });
    await recordEvent(tx, {
      type: "template.updated",
      actor,
      message: `template ${template.name} changed: ${changed.map(([field, value]) => `${field} ${JSON.stringify(value)}`).join(", ")}`,
      data: { templateId: template.id },
    });
    return template;
  });
}
