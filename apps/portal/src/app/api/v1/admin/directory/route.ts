import { configureDirectory, getDirectoryView } from "@carve/core";
import type { TDirectoryViewJson } from "../../../../../api/admin-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: the directory settings, never the service account's password (core refuses everyone else). */
export const GET = apiRoute("Read", async ({ actor, core }): Promise<TDirectoryViewJson> => getDirectoryView(core, actor));

/**
 * Admins only: changes the directory settings (`settings` over the saved ones or a `preset`'s) and,
 * with `bindPassword`, the service account's password, which core stores encrypted and never answers.
 */
export const POST = apiRoute("Write", async ({ actor, core, request }): Promise<TDirectoryViewJson> => configureDirectory(core, actor, await jsonBody(request)));

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
