import { revokeApiKey } from "@carve/core";
import { toApiKeyJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** Revokes one of your API keys (admins: anyone's) by prefix or id; it stops working at once. Answers with it. */
export const DELETE = apiRoute<{ key: string }>("Write", async ({ actor, core, params }) => toApiKeyJson(await revokeApiKey(core, actor, params.key)));

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
