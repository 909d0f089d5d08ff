import { listTemplates } from "@carve/core";
import type { TTemplateJson } from "../../../../api/schemas.ts";
import { pageOfList } from "../../../../api/list-page.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const templates = await listTemplates(core, actor);
  const items: TTemplateJson[] = templates.map((t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    state: t.state,
    format: t.format,
    minDiskGiB: t.minDiskGiB,
    supportsCloudInit: t.supportsCloudInit,
    supportsPasswordReset: t.supportsPasswordReset,
    loginUser: t.loginUser,
  }));
  return pageOfList(items, new URL(request.url).searchParams);
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
