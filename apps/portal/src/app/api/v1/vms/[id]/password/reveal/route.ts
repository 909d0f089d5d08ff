import { revealVmPassword } from "@carve/core";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/**
 * The VM's generated password waiting for you (its first password, or the latest reset), once:
 * core deletes it as it reads it, so a second call answers 410 PASSWORD_NOT_AVAILABLE (409
 * PASSWORD_NOT_READY while its job still runs). POST, not GET: it changes state, and nothing caches it.
 */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => {
  const shown = await revealVmPassword(core, actor, { vm: params.id });
  return Response.json(shown, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
