import { declareHostDead, parseInput, ZDeclareHostDeadInput } from "@carve/core";
import type { TDeclaredDeadJson } from "../../../../../../../api/dead-host-schemas.ts";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: declares a silent, powered-off host dead (`confirm`: its name); answers what became of each VM. */
export const POST = apiRoute<{ host: string }>("Write", async ({ actor, core, params, request }): Promise<TDeclaredDeadJson> => {
  const { confirm } = parseInput(ZDeclareHostDeadInput.omit({ host: true }), await jsonBody(request));
  const declared = await declareHostDead(core, actor, { host: params.host, confirm });
  return { ...declared, jobs: declared.jobs.map(toJobJson) };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
