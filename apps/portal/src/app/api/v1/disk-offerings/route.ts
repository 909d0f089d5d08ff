import { listDiskOfferings } from "@carve/core";
import type { TDiskOfferingJson } from "../../../../api/schemas.ts";
import { pageOfList } from "../../../../api/list-page.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

/** Active disk offerings (data volume sizes and storage), smallest first, a page at a time. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const items: TDiskOfferingJson[] = (await listDiskOfferings(core, actor)).map((d) => ({
    id: d.id,
    name: d.name,
    description: d.description,
    sizeGiB: d.sizeGiB,
    minSizeGiB: d.minSizeGiB,
    maxSizeGiB: d.maxSizeGiB,
    scope: d.scope,
    storageTags: d.storageTags,
  }));
  return pageOfList(items, new URL(request.url).searchParams);
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
