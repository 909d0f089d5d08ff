import { whoAmI } from "@carve/core";
import type { TMeJson } from "../../../../api/schemas.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

/** Who the caller acts as (and an API key's scope); `carve login` checks a key with it. */
export const GET = apiRoute("Read", async ({ actor }): Promise<TMeJson> => {
  const me = whoAmI(actor);
  return { id: me.userId, username: me.username, role: me.role, scope: me.scope };
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
