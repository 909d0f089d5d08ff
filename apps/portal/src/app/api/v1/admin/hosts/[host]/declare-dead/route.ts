import { declareHostDead } from "@carve/core";
import { pathAndBody } from "../../../../../../../api/path-and-body.ts";
import type { TDeclaredDeadJson } from "../../../../../../../api/dead-host-schemas.ts";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: declares a silent, powered-off host dead (`confirm`: its name); answers what became of each VM. */
export const POST = apiRoute<{ host: string }>("Write", async ({ actor, core, params, request }): Promise<TDeclaredDeadJson> => {
  // The body goes to core unparsed, so core's own check refuses and audits bad input.
  const declared = await declareHostDead(core, actor, pathAndBody(await jsonBody(request), { host: params.host }));
  return { ...declared, jobs: declared.jobs.map(toJobJson) };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
