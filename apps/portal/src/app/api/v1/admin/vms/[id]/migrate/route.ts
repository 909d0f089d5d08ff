import { migrateVm } from "@carve/core";
import { pathAndBody } from "../../../../../../../api/path-and-body.ts";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, optionalJsonBody, otherMethods } from "../../../../../../../server/api-route.ts";

/**
 * Admins only: moves the VM to another host (`host`, or the one placement picks when the body is
 * left out): a running VM live-migrates, a stopped one moves cold. Answers 202 with the job.
 */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => toJobJson(await migrateVm(core, actor, pathAndBody(await optionalJsonBody(request), { vm: params.id }))),
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
