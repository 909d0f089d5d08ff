import { addHost } from "@carve/core";
import { toAddedHostJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";
import { portalJoinCommand } from "../../../../../server/join-command.ts";

/**
 * Admins only: registers a host (core refuses everyone else with FORBIDDEN); answers 201 with it,
 * its one-time join token and the join command built with this server's Redis settings for hosts.
 */
export const POST = apiRoute(
  "Write",
  async ({ actor, core, request }) => {
    const host = await addHost(core, actor, await jsonBody(request));
    return toAddedHostJson(host, portalJoinCommand(host.joinToken.token, host.uri));
  },
  201,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
