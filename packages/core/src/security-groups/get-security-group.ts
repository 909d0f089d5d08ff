import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findSecurityGroup } from "./find-security-group.ts";
import { ZSecurityGroupRef } from "./security-group-fields.ts";
import { SECURITY_GROUP_SELECT, toSecurityGroupView, type TSecurityGroupView } from "./security-group-view.ts";

export const ZGetSecurityGroupInput = z.strictObject({ group: ZSecurityGroupRef });

/**
 * One security group with its rules and VMs (owner or admin).
 * @throws CarveError SECURITY_GROUP_NOT_FOUND
 */
export async function getSecurityGroup(deps: CoreDeps, actor: TActor, input: unknown): Promise<TSecurityGroupView> {
  const { group: ref } = parseInput(ZGetSecurityGroupInput, input);
  const group = await findSecurityGroup(deps.db, actor, ref);
  return toSecurityGroupView(await deps.db.securityGroup.findUniqueOrThrow({ where: { id: group.id }, select: SECURITY_GROUP_SELECT }));
}
