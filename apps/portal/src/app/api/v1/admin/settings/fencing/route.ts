import { setFencingSettings } from "@carve/core";
import { otherMethods } from "../../../../../../server/api-route.ts";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the fencing command run before a host is declared dead (POST; see settingsGroupRoute). */
export const POST = settingsGroupRoute(setFencingSettings);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
