import { setNetworkSettings } from "@carve/core";
import { otherMethods } from "../../../../../../server/api-route.ts";
import { settingsGroupRoute } from "../../../../../../server/settings-group-route.ts";

/** Admins only: the network settings, the company's networks (POST; see settingsGroupRoute). */
export const POST = settingsGroupRoute(setNetworkSettings);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
