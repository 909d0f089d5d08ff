import { listOfferings } from "@carve/core";
import type { TOfferingJson } from "../../../../api/schemas.ts";
import { pageOfList } from "../../../../api/list-page.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const items: TOfferingJson[] = (await listOfferings(core, actor)).map((o) => ({ id: o.id, name: o.name, description: o.description, vcpus: o.vcpus, memoryMiB: o.memoryMiB, rootDiskGiB: o.rootDiskGiB }));
  return pageOfList(items, new URL(request.url).searchParams);
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
