import { issueJoinToken } from "@carve/core";
import { pathAndBody } from "../../../../../../../api/path-and-body.ts";
import { toJoinTokenJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../../server/api-route.ts";
import { portalJoinCommand } from "../../../../../../../server/join-command.ts";

/**
 * Admins only: a new one-time join token for the host (body `{ "ttlMinutes": 60 }`), voiding the
 * earlier one; answers 201 with it and the join command built with this server's Redis settings.
 */
export const POST = apiRoute<{ host: string }>(
  "Write",
  async ({ actor, core, request, params }) => {
    const token = await issueJoinToken(core, actor, pathAndBody(await jsonBody(request), { host: params.host }));
    return toJoinTokenJson(token, portalJoinCommand(token.token, token.hostUri));
  },
  201,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
