import type { Db, Template } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { way } from "../errors/front-door-ways.ts";

/** A template by name or id, ready for use; otherwise an error that says what to do. */
export async function resolveTemplate(db: Db, ref: string): Promise<Template> {
  const template = await db.template.findFirst({
    where: isUuid(ref) ? { id: ref } : { name: ref },
  });
  if (!template || template.state === "Deleted") {
    throw new CarveError("TEMPLATE_NOT_FOUND", `No template '${ref}'. See the available ones with ${way("templates")}.`, {
      fields: [{ field: "template", message: `'${ref}' does not exist: pick one from ${way("templates")}` }],
    });
  }
  if (template.state !== "Ready") {
    const message =
      template.state === "Error"
        ? `Template ${template.name} cannot be used: its download failed (${template.stateReason ?? "no reason recorded"}). Choose another template, or ask an admin to delete it and register it again.`
        : `Template ${template.name} is not ready yet: it is ${template.state}${template.state === "Downloading" ? ` (${template.progress} %)` : ""}. Wait until ${way("templates")} shows it Ready, or choose another template.`;
    throw new CarveError("TEMPLATE_NOT_READY", message, {
      fields: [{ field: "template", message: `is ${template.state}, not Ready` }],
    });
  }
  return template;
}
