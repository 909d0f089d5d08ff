import { setLogLevel } from "@carve/core";
import { otherMethods } from "../../../../../../server/api-route.ts";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the log-level settings (POST; see settingsGroupRoute). */
export const POST = settingsGroupRoute(setLogLevel);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
