import { createVolume, listVolumes } from "@carve/core";
import { toJobJson, toVolumeJson } from "../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../server/api-route.ts";

const LIST_PARAMS = ["limit", "cursor", "vm", "owner", "kind"] as const;

/** Your data and root volumes (admins: everyone's), newest first, a page at a time. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const search = new URL(request.url).searchParams;
  const page = await listVolumes(core, actor, Object.fromEntries(LIST_PARAMS.flatMap((name) => (search.has(name) ? [[name, search.get(name)]] : []))));
  return { items: page.items.map(toVolumeJson), nextCursor: page.nextCursor };
});

/** Creates an empty data volume from a disk offering; answers 202 with it and the job to watch. */
export const POST = apiRoute(
  "Write",
  async ({ actor, core, request }) => {
    const { volume, job } = await createVolume(core, actor, await jsonBody(request));
    return { volume: { id: volume.id, name: volume.name }, job: toJobJson(job) };
  },
  202,
);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
