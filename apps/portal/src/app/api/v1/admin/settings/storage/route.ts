import { setStorageSettings } from "@carve/core";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the storage settings (see settingsGroupRoute). */
export const { POST, GET, PUT, PATCH, DELETE } = settingsGroupRoute(setStorageSettings);
