import type { Db, Template } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";

/** A template by name or id, ready for use; otherwise an error that says what to do. */
export async function resolveTemplate(db: Db, ref: string): Promise<Template> {
  const template = await db.template.findFirst({
    where: isUuid(ref) ? { id: ref } : { name: ref },
  });
  if (!template || template.state === "Deleted") {
    throw new CarveError("TEMPLATE_NOT_FOUND", `No template '${ref}'. See the available ones with 'template list'.`, {
      fields: [{ field: "template", message: `'${ref}' does not exist: pick one from 'template list'` }],
    });
  }
  if (template.state !== "Ready") {
    const why = template.stateReason ? ` (${template.stateReason})` : "";
    throw new CarveError("TEMPLATE_NOT_READY", `Template ${template.name} is ${template.state}${why}; wait until it is Ready or choose another.`, {
      fields: [{ field: "template", message: `is ${template.state}, not Ready` }],
    });
  }
  return template;
}
