import { setTemplateSettings } from "@carve/core";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the templates settings (see settingsGroupRoute). */
export const { POST, GET, PUT, PATCH, DELETE } = settingsGroupRoute(setTemplateSettings);
