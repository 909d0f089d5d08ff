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

/** An audit row: who did what, to what, from where, and how it ended. */
export const ZAuditEntryJson = z
  .object({
    id: z.string().describe("Sequence number; later entries have larger ones"),
    at: z.iso.datetime(),
    actorId: z.uuid().nullable(),
    actorName: z.string().nullable().describe("Username; null for the system"),
    via: z.string().describe("cli, portal, api, slack or controller"),
    clientAddr: z.string().nullable(),
    slackTeam: z.string().nullable(),
    requestId: z.string().nullable(),
    osUser: z.string().nullable().describe("The local CLI: the OS account that ran it"),
    osHost: z.string().nullable().describe("The local CLI: the machine it ran on"),
    action: z.string().describe("e.g. vm.create"),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    targetName: z.string().nullable(),
    outcome: z.enum(["ok", "refused", "error"]),
    errorCode: z.string().nullable(),
  })
  .register(ANSWER_SCHEMAS, { id: "AuditEntry" });

export const ZAuditPageJson = z
  .object({ items: z.array(ZAuditEntryJson), nextCursor: z.string().nullable().describe("Pass as `cursor` for older entries; null on the last page") })
  .register(ANSWER_SCHEMAS, { id: "AuditPage" });

export type TAuditEntryJson = z.input<typeof ZAuditEntryJson>;

// user sign-out
/** What `POST /api/v1/admin/users/{user}/sign-out` ended. */
export const ZUserSignOutJson = z.object({ username: z.string(), ended: z.int().describe("Portal sessions ended; 0: none was open") }).register(ANSWER_SCHEMAS, { id: "UserSignOut" });
