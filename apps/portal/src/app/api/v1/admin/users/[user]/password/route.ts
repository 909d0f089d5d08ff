import { resetPassword } from "@carve/core";
import { pathAndBody } from "../../../../../../../api/path-and-body.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../../server/api-route.ts";

/**
 * Admins only: sets a new password on a local account (body `{ password }`); every session of the
 * user ends. The password is kept only as a hash and never answered.
 */
export const POST = apiRoute<{ user: string }>("Write", async ({ actor, core, params, request }) => resetPassword(core, actor, pathAndBody(await jsonBody(request), { user: params.user })));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
