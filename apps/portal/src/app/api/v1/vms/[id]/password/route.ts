import { resetVmPassword } from "@carve/core";
import { passwordRevealJson, toJobJson } from "../../../../../../api/to-json.ts";
import { apiRoute, optionalJsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/**
 * Sets a new generated password for a guest user of the running VM (body `{ "user": "root" }`,
 * optional); answers 202 with the job and where to view the password once it has succeeded.
 */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => {
    // The body is optional: only `user` can be given.
    const body = await optionalJsonBody(request);
    const reset = await resetVmPassword(core, actor, { ...(typeof body === "object" && body !== null ? body : {}), vm: params.id });
    return { job: toJobJson(reset.job), user: reset.user, passwordReveal: passwordRevealJson(reset.job.vmId ?? params.id, reset) };
  },
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
