import { listGroups, mapGroup } from "@carve/core";
import type { TGroupJson } from "../../../../../api/admin-schemas.ts";
import { toGroupJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: every group with its role, team flag and member count, by name (core refuses everyone else). */
export const GET = apiRoute("Read", async ({ actor, core }) => ({ items: (await listGroups(core, actor)).map(toGroupJson) }));

/** Admins only: maps a group (name or DN; made when there is none yet) to a role and/or makes it a team; answers with the group. */
export const POST = apiRoute("Write", async ({ actor, core, request }): Promise<TGroupJson> => toGroupJson(await mapGroup(core, actor, await jsonBody(request))));

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
