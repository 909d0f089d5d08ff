import { getJob, parseInput } from "@carve/core";
import { z } from "zod";
import { toJobJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

const ZJobId = z.uuid("must be a job id (a UUID)");

export const GET = apiRoute<{ id: string }>("Read", async ({ actor, core, params }) => toJobJson(await getJob(core, actor, parseInput(ZJobId, params.id))));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
