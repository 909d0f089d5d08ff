import { addSecurityGroupRule } from "@carve/core";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { toSecurityRuleJson } from "../../../../../../api/security-group-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** Adds an ingress rule to the group; the filters of its VMs are re-applied live. The same rule twice is answered as it is. */
export const POST = apiRoute<{ group: string }>("Write", async ({ actor, core, request, params }) => {
  const added = await addSecurityGroupRule(core, actor, pathAndBody(await jsonBody(request), { group: params.group }));
  return { ...added, rule: toSecurityRuleJson(added.rule) };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
