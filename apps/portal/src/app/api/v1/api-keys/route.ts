import { createApiKey, listApiKeys } from "@carve/core";
import { toApiKeyJson } from "../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../server/api-route.ts";

/** Your API keys (admins: `?user=` another user's), newest first, without their secrets. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const user = new URL(request.url).searchParams.get("user") ?? undefined;
  return { items: (await listApiKeys(core, actor, { user })).map(toApiKeyJson) };
});

/** Creates an API key (admins: `user` for another user); answers 201 with the key itself, this once. */
export const POST = apiRoute(
  "Write",
  async ({ actor, core, request }) => {
    const { key, ...created } = await createApiKey(core, actor, await jsonBody(request));
    return Response.json({ ...toApiKeyJson(created), key }, { status: 201, headers: { "cache-control": "no-store" } });
  },
  201,
);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
