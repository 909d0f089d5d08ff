import { z } from "zod";
import { ANSWER_SCHEMAS, ZJobJson } from "./schemas.ts";

/** A job as the admin's job list shows it: who started it and on what. */
export const ZAdminJobJson = ZJobJson.extend({
  attempts: z.int(),
  by: z.string().nullable().describe("Username of who started it; null for the system"),
  vmName: z.string().nullable(),
  hostName: z.string().nullable(),
}).register(ANSWER_SCHEMAS, { id: "AdminJob" });

export const ZAdminJobPageJson = z
  .object({ items: z.array(ZAdminJobJson), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") })
  .register(ANSWER_SCHEMAS, { id: "AdminJobPage" });

export type TAdminJobJson = z.input<typeof ZAdminJobJson>;
