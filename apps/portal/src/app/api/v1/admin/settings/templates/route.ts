import { setTemplateSettings } from "@carve/core";
import { otherMethods } from "../../../../../../server/api-route.ts";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the templates settings (POST; see settingsGroupRoute). */
export const POST = settingsGroupRoute(setTemplateSettings);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
