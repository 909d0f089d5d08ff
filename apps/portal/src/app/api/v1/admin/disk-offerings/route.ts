import { createDiskOffering } from "@carve/core";
import { toDiskOfferingJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: creates a disk offering (core refuses everyone else with FORBIDDEN); answers 201 with it. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toDiskOfferingJson(await createDiskOffering(core, actor, await jsonBody(request))), 201);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
