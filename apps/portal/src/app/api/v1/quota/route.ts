import { getQuota } from "@carve/core";
import type { TQuotaListJson } from "../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

/** Your quotas and use; `?user=NAME` another user's (core: admins only). */
export const GET = apiRoute("Read", async ({ actor, core, request }): Promise<TQuotaListJson> => ({ items: await getQuota(core, actor, new URL(request.url).searchParams.get("user") ?? undefined) }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
