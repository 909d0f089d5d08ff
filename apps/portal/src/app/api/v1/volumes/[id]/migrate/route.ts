import { migrateVolume } from "@carve/core";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { toJobJson } from "../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/**
 * Moves your volume (admins: anyone's) to the body's `pool`, checked by checksum before the source
 * goes; answers 202 with the volume and the migration's job.
 */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => {
    const { job, volume } = await migrateVolume(core, actor, pathAndBody(await jsonBody(request), { volume: params.id }));
    return { volume, job: toJobJson(job) };
  },
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
