import { setUserEnabled } from "@carve/core";
import type { TUserEnabledJson } from "../../../../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: disables the account (sessions, API keys and Slack stop at once); answers with the VMs they still own. */
export const POST = apiRoute<{ user: string }>("Write", async ({ actor, core, params }): Promise<TUserEnabledJson> => setUserEnabled(core, actor, { user: params.user, enabled: false }));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
