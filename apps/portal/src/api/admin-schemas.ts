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

/** What `POST /api/v1/admin/sign-in-unlock` cleared. */
export const ZUnlockSignInJson = z
  .object({
    target: z.string(),
    kind: z.enum(["user", "address"]).describe("Whether the target was taken as a username or a client address"),
    cleared: z.int().describe("Throttle records removed; 0: nothing was locked"),
  })
  .register(ANSWER_SCHEMAS, { id: "UnlockSignIn" });
