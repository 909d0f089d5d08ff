import { removeSecurityGroupRule } from "@carve/core";
import { toSecurityRuleJson } from "../../../../../../../api/security-group-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Removes a rule from the group; its VMs lose that access at once (live, no reboot). */
export const DELETE = apiRoute<{ group: string; rule: string }>("Write", async ({ actor, core, params }) => {
  const removed = await removeSecurityGroupRule(core, actor, { group: params.group, rule: params.rule });
  return { ...removed, rule: toSecurityRuleJson(removed.rule) };
});

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
