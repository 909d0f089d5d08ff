import { deleteVolume } from "@carve/core";
import { toJobJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** Deletes a detached data volume and its data; answers 202 with the job. */
export const DELETE = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => toJobJson(await deleteVolume(core, actor, { volume: params.id })), 202);

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
