import { aggregateUsage } from "@carve/core";
import { toUsageAggregateJson } from "../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: recomputes the usage records of [from, to) (whole UTC hours) from the event history; safe to repeat. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toUsageAggregateJson(await aggregateUsage(core, actor, await jsonBody(request))));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
