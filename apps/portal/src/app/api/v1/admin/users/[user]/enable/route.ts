import { setUserEnabled } from "@carve/core";
import type { TUserEnabledJson } from "../../../../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: enables the account again (sessions ended while it was disabled stay ended). */
export const POST = apiRoute<{ user: string }>("Write", async ({ actor, core, params }): Promise<TUserEnabledJson> => setUserEnabled(core, actor, { user: params.user, enabled: true }));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
