import type { Db, Template, Tx } from "@carve/db";
import { z } from "zod";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { way } from "../errors/front-door-ways.ts";

/** A template by name or id, as admins name it in delete and update. */
export const ZTemplateRef = z.string({ error: "is required: a template name or id" }).min(1, "is required: a template name or id").max(200);

/** The template `ref` names (name or id) in any state but Deleted; TEMPLATE_NOT_FOUND otherwise. */
export async function findTemplate(db: Db | Tx, ref: string): Promise<Template> {
  const template = await db.template.findFirst({ where: { ...(isUuid(ref) ? { id: ref } : { name: ref }), state: { not: "Deleted" } } });
  if (!template) {
    throw new CarveError("TEMPLATE_NOT_FOUND", `No template '${ref}'. See the templates with ${way("templates")}.`, {
      fields: [{ field: "template", message: `'${ref}' does not exist` }],
    });
  }
  return template;
}
