import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { DESTROY_THOSE_VMS, hasDependents } from "../lifecycle/has-dependents.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findTemplate, ZTemplateRef } from "./find-template.ts";

const ZInput = z.strictObject({ template: ZTemplateRef });

/**
 * Deletes a template in any state (Downloading, Error, Ready) that no live VM uses (admins only). A
 * running download stops at its next progress write; the controller removes the stored image from
 * its store within a round. A template that destroyed VMs still refer to is kept as Deleted (hidden,
 * its name free for a new template); otherwise its row goes.
 */
export async function deleteTemplate(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ id: string; name: string }> {
  requireAdmin(actor, "delete templates");
  const { template: ref } = parseInput(ZInput, input);
  return deps.db.$transaction(async (tx) => {
    const template = await findTemplate(tx, ref);
    const live = await tx.vm.findMany({
      where: { templateId: template.id, state: { not: "Destroyed" } },
      select: { name: true, owner: { select: { username: true } } },
      orderBy: { name: "asc" },
    });
    if (live.length > 0) {
      throw hasDependents(
        `Template ${template.name}`,
        [{ what: "VMs", one: "VM", names: live.map((vm) => `${vm.owner.username}/${vm.name}`) }],
        [DESTROY_THOSE_VMS, `delete the template ('carve template delete ${template.name}')`],
        { code: "TEMPLATE_IN_USE" },
      );
    }
    if ((await tx.vm.count({ where: { templateId: template.id } })) === 0) {
      await tx.template.delete({ where: { id: template.id } });
    } else {
      // ':' is not allowed in template names, so the freed name can never collide.
      await tx.template.update({
        where: { id: template.id },
        data: { state: "Deleted", name: `deleted:${template.id}:${template.name}`, storedPath: null, fetchLeaseUntil: null, copies: { deleteMany: {} } },
      });
    }
    await recordEvent(tx, { type: "template.deleted", actor, fromState: template.state, toState: "Deleted", message: `template ${template.name} (${template.state}) deleted`, data: { templateId: template.id } });
    return { id: template.id, name: template.name };
  });
}
