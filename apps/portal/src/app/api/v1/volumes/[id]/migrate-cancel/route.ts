import { cancelVolumeMigration } from "@carve/core";
import { toJobJson } from "../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Stops your volume's (admins: anyone's) storage migration: it stays in its source pool; answers with the migration's job. */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => toJobJson(await cancelVolumeMigration(core, actor, { volume: params.id })));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
