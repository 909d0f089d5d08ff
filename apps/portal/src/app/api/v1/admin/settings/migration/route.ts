import { setMigrationSettings } from "@carve/core";
import { otherMethods } from "../../../../../../server/api-route.ts";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the migration settings (POST; see settingsGroupRoute). */
export const POST = settingsGroupRoute(setMigrationSettings);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
