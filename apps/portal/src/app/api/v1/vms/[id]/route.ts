import { destroyVm, getVm } from "@carve/core";
import { toJobJson, toVmJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

type TParams = { id: string };

export const GET = apiRoute<TParams>("Read", async ({ actor, core, params }) => toVmJson(await getVm(core, actor, { vm: params.id })));

/** Destroys the VM and its volumes; answers 202 with the job. */
export const DELETE = apiRoute<TParams>("Write", async ({ actor, core, params }) => toJobJson(await destroyVm(core, actor, { vm: params.id })), 202);

export const { POST, PUT, PATCH } = otherMethods("GET", "DELETE");
