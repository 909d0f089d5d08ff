import { detachVolume } from "@carve/core";
import { toJobJson } from "../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Detaches the data volume from its VM (the volume stays); answers 202 with the job. */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => toJobJson(await detachVolume(core, actor, { volume: params.id })), 202);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
