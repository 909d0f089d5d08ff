import { setStorageSettings } from "@carve/core";
import { otherMethods } from "../../../../../../server/api-route.ts";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the storage settings (POST; see settingsGroupRoute). */
export const POST = settingsGroupRoute(setStorageSettings);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
