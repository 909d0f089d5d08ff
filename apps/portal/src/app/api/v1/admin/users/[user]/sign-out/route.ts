import { endUserSessions } from "@carve/core";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/**
 * Admins only: ends every portal session of the user (username or id) at once; their API keys keep
 * working (revoke those separately). Core refuses everyone else with FORBIDDEN.
 */
export const POST = apiRoute<{ user: string }>("Write", async ({ actor, core, params }) => endUserSessions(core, actor, { user: params.user }));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
