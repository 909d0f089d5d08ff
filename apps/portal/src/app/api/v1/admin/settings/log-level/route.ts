import { setLogLevel } from "@carve/core";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the log-level settings (see settingsGroupRoute). */
export const { POST, GET, PUT, PATCH, DELETE } = settingsGroupRoute(setLogLevel);
