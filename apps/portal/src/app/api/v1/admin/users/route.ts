import { createLocalUser, listUsers } from "@carve/core";
import { queryFlag, queryParams } from "../../../../../api/query-params.ts";
import { toCreatedUserJson, toUserJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: every account (`disabled=true`: disabled ones only; `search`: by name or email), by username, a page at a time. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const page = await listUsers(core, actor, { ...queryParams(request, ["search", "limit", "cursor"]), disabledOnly: queryFlag(request, "disabled") });
  return { items: page.items.map(toUserJson), nextCursor: page.nextCursor };
});

/** Admins only: creates a local account with the password in the body (stored as a hash, never answered); answers 201 with it. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toCreatedUserJson(await createLocalUser(core, actor, await jsonBody(request))), 201);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
