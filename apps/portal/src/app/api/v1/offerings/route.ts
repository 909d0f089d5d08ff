import { listOfferings } from "@carve/core";
import { pageOfList } from "../../../../api/list-page.ts";
import { toOfferingJson } from "../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

export const GET = apiRoute("Read", async ({ actor, core, request }) => pageOfList((await listOfferings(core, actor)).map(toOfferingJson), new URL(request.url).searchParams));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
