import { createOffering } from "@carve/core";
import { toOfferingJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: creates a service offering (core refuses everyone else with FORBIDDEN); answers 201 with it. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toOfferingJson(await createOffering(core, actor, await jsonBody(request))), 201);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
