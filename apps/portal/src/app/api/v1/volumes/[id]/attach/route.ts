import { attachVolume } from "@carve/core";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { toJobJson } from "../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** Attaches the data volume to one of your VMs (running or stopped); answers 202 with the job. */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => toJobJson(await attachVolume(core, actor, pathAndBody(await jsonBody(request), { volume: params.id }))),
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
