import { openApiDocument } from "../../../../api/openapi.ts";
import { env } from "../../../../env.ts";
import { otherMethods } from "../../../../server/api-route.ts";

// Built at request time: the server URL is a run-time setting.
export const dynamic = "force-dynamic";

/** The API's OpenAPI 3.1 document; public, like any API reference. */
export function GET(): Response {
  return Response.json(openApiDocument(new URL(env().NEXTAUTH_URL).origin));
}

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
