import { setPlacementSettings } from "@carve/core";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the placement settings (see settingsGroupRoute). */
export const { POST, GET, PUT, PATCH, DELETE } = settingsGroupRoute(setPlacementSettings);
