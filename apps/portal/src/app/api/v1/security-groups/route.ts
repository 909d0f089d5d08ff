import { createSecurityGroup, listSecurityGroups } from "@carve/core";
import { pageOfList } from "../../../../api/list-page.ts";
import { queryFlag } from "../../../../api/query-params.ts";
import { toSecurityGroupJson } from "../../../../api/security-group-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../server/api-route.ts";

/** Your security groups (your default one made on first use; admins with `all=true`: everyone's), by name, a page at a time. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const all = queryFlag(request, "all");
  const groups = await listSecurityGroups(core, actor, all === undefined ? {} : { all });
  return pageOfList(groups.map(toSecurityGroupJson), new URL(request.url).searchParams);
});

/** Creates an empty security group of yours; answers 201 with it. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toSecurityGroupJson(await createSecurityGroup(core, actor, await jsonBody(request))), 201);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
