import { listDiskOfferings } from "@carve/core";
import { pageOfList } from "../../../../api/list-page.ts";
import { toDiskOfferingJson } from "../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

/** Active disk offerings (data volume sizes and storage), smallest first, a page at a time. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => pageOfList((await listDiskOfferings(core, actor)).map(toDiskOfferingJson), new URL(request.url).searchParams));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
