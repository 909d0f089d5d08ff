import { usageReport } from "@carve/core";
import { queryParams } from "../../../../../api/query-params.ts";
import { toUsageReportJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: everyone's usage per user, team or offering for the records starting in [from, to) (`format=csv`: also as CSV). */
export const GET = apiRoute("Read", async ({ actor, core, request }) => toUsageReportJson(await usageReport(core, actor, queryParams(request, ["from", "to", "by", "granularity", "format"]))));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
