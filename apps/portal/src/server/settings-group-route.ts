import type { TUserActor } from "@carve/core";
import { apiRoute, optionalJsonBody } from "./api-route.ts";
import type { TPortalCore } from "./core.ts";

/**
 * The POST of one settings group's route (`/api/v1/admin/settings/<group>`): it changes the body's
 * fields (a field left out stays as it is) and answers the group's settings in force; an empty
 * body only shows them. `change` is core's use-case, which refuses non-admins (FORBIDDEN, audited).
 */
export function settingsGroupRoute(change: (core: TPortalCore, actor: TUserActor, input: unknown) => Promise<unknown>) {
  return apiRoute("Write", async ({ actor, core, request }) => change(core, actor, await optionalJsonBody(request)));
}
