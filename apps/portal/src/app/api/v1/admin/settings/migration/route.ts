import { setMigrationSettings } from "@carve/core";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the migration settings (see settingsGroupRoute). */
export const { POST, GET, PUT, PATCH, DELETE } = settingsGroupRoute(setMigrationSettings);
