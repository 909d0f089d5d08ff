import { destroyVm, getVm } from "@carve/core";
import { queryFlag } from "../../../../../api/query-params.ts";
import { toJobJson, toVmJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

type TParams = { id: string };

export const GET = apiRoute<TParams>("Read", async ({ actor, core, params }) => toVmJson(await getVm(core, actor, { vm: params.id })));

/** Destroys the VM and its root disk; data volumes are kept (detached) unless `?withVolumes=true`. Answers 202 with the job. */
export const DELETE = apiRoute<TParams>("Write", async ({ actor, core, params, request }) => toJobJson(await destroyVm(core, actor, { vm: params.id, withVolumes: queryFlag(request, "withVolumes") })), 202);

export const { POST, PUT, PATCH } = otherMethods("GET", "DELETE");
