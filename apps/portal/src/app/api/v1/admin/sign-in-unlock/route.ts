import { unlockSignIn } from "@carve/core";
import type { z } from "zod";
import type { ZUnlockSignInJson } from "../../../../../api/admin-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: clears the sign-in throttle of a username or a client address (core refuses everyone else with FORBIDDEN). */
export const POST = apiRoute("Write", async ({ actor, core, request }): Promise<z.input<typeof ZUnlockSignInJson>> => unlockSignIn(core, actor, await jsonBody(request)));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
