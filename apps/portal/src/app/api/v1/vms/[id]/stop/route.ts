import { stopVm } from "@carve/core";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { toJobJson } from "../../../../../../api/to-json.ts";
import { apiRoute, optionalJsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/**
 * Stops the VM: an ACPI shutdown, forced off after `timeoutSec` (60 s), or at once with `force`
 * (the body is optional); answers 202 with the job.
 */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => toJobJson(await stopVm(core, actor, pathAndBody(await optionalJsonBody(request), { vm: params.id }))),
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
