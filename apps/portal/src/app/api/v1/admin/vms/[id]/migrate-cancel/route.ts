import { cancelVmMigration } from "@carve/core";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: aborts the VM's live migration (it keeps running where it was); answers with the migration's job. */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => toJobJson(await cancelVmMigration(core, actor, { vm: params.id })));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
