import { CarveError, setLogLevel, setMigrationSettings, setPlacementSettings, setStorageSettings, setTemplateSettings } from "@carve/core";
import { apiRoute, optionalJsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** Each settings group and the core use-case that changes (and, given no change, shows) it. */
const GROUPS = {
  placement: setPlacementSettings,
  templates: setTemplateSettings,
  migration: setMigrationSettings,
  storage: setStorageSettings,
  "log-level": setLogLevel,
};

const isGroup = (group: string): group is keyof typeof GROUPS => Object.hasOwn(GROUPS, group);

/**
 * Admins only: changes one group of settings (the body's fields; a field left out stays as it is)
 * and answers the group's settings in force; an empty body only shows them. Core refuses anyone
 * else with FORBIDDEN, audited.
 */
export const POST = apiRoute<{ group: string }>("Write", async ({ actor, core, request, params }) => {
  if (!isGroup(params.group)) {
    throw new CarveError("NOT_FOUND", `There are no settings called '${params.group}': the groups are ${Object.keys(GROUPS).join(", ")} (see /api/v1/openapi.json).`);
  }
  return GROUPS[params.group](core, actor, await optionalJsonBody(request));
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
