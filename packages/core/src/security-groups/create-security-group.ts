import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { ZDescription, ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { ensureDefaultGroup } from "./default-group.ts";
import { SECURITY_GROUP_SELECT, toSecurityGroupView, type TSecurityGroupView } from "./security-group-view.ts";

export const ZCreateSecurityGroupInput = z.strictObject({
  name: ZObjectName,
  description: ZDescription.optional(),
});

/**
 * Creates an empty security group of the acting user (it lets nothing in until rules are added).
 * @throws CarveError INVALID_INPUT, ALREADY_EXISTS (a group of that name: the default one included), FORBIDDEN
 */
export async function createSecurityGroup(deps: CoreDeps, actor: TActor, input: unknown): Promise<TSecurityGroupView> {
  if (actor.kind !== "user") throw new CarveError("FORBIDDEN", "Security groups belong to users: the system cannot own one.");
  requireWriteScope(actor, "create security groups");
  const data = parseInput(ZCreateSecurityGroupInput, input);
  return deps.db.$transaction(async (tx) => {
    // The default group exists before any other, so "default" is always taken by it.
    await ensureDefaultGroup(tx, actor.userId);
    if (await tx.securityGroup.findUnique({ where: { ownerId_name: { ownerId: actor.userId, name: data.name } }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `You already have a security group named '${data.name}'. Choose another name, or add rules to that one ('carve sg rule add ${data.name} …').`, {
        fields: [{ field: "name", message: "is already one of your security groups" }],
      });
    }
    const created = await tx.securityGroup.create({ data: { name: data.name, description: data.description ?? null, ownerId: actor.userId }, select: SECURITY_GROUP_SELECT });
    await recordEvent(tx, { type: "security-group.created", actor, message: `security group ${created.name} created` });
    return toSecurityGroupView(created);
  });
}
