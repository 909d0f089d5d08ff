import { removeSshKey } from "@carve/core";
import { toSshKeyJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** Removes one of your SSH keys by name or id (VMs made with it keep it); answers with it. */
export const DELETE = apiRoute<{ key: string }>("Write", async ({ actor, core, params }) => toSshKeyJson(await removeSshKey(core, actor, { key: params.key })));

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
