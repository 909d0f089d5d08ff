import { openConsole } from "@carve/core";
import type { TConsoleLinkJson } from "../../../../../../api/schemas.ts";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { env } from "../../../../../../env.ts";
import { apiRoute, optionalJsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/**
 * A one-time console link (body `{ "kind": "vnc" | "serial" }`, optional): 201 with the portal page
 * that opens it, on the portal's public address (NEXTAUTH_URL). The link is bound to the caller's
 * address (core takes it from the request's origin) and is not cached anywhere.
 */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => {
    const link = await openConsole(core, actor, pathAndBody(await optionalJsonBody(request), { vm: params.id }));
    const json: TConsoleLinkJson = { vmId: link.vmId, vmName: link.vmName, kind: link.kind, url: new URL(link.path, env().NEXTAUTH_URL).href, expiresAt: link.expiresAt.toISOString() };
    return Response.json(json, { status: 201, headers: { "cache-control": "no-store" } });
  },
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
