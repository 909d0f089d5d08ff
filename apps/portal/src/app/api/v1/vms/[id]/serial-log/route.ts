import { readSerialLog } from "@carve/core";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** The last lines of the VM's serial console log (`lines`, default 100, at most 1000). */
export const GET = apiRoute<{ id: string }>("Read", async ({ actor, core, request, params }) => {
  const lines = new URL(request.url).searchParams.get("lines");
  return readSerialLog(core, actor, { vm: params.id, ...(lines === null ? {} : { lines }) });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
