import { addSshKey, listSshKeys } from "@carve/core";
import { toSshKeyJson } from "../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../server/api-route.ts";

/** Your SSH public keys, oldest first. */
export const GET = apiRoute("Read", async ({ actor, core }) => ({ items: (await listSshKeys(core, actor)).map(toSshKeyJson) }));

/** Stores one of your SSH public keys (put into new cloud-init VMs); answers 201 with it. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toSshKeyJson(await addSshKey(core, actor, await jsonBody(request))), 201);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
