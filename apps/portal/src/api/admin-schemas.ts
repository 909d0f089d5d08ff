import { ZDirectoryConfig } from "@carve/core";
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

/** What `DELETE /api/v1/admin/offerings/{id}` did: deleted, or retired (inactive) while VMs refer to it. */
export const ZDeletedOfferingJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    outcome: z.enum(["deleted", "retired"]),
    vms: z.array(z.string()).describe("Live VMs that keep it (`name (owner)`), when retired"),
  })
  .register(ANSWER_SCHEMAS, { id: "DeletedOffering" });

/** What `DELETE /api/v1/admin/disk-offerings/{id}` did: deleted, or retired (inactive) while volumes refer to it. */
export const ZDeletedDiskOfferingJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    outcome: z.enum(["deleted", "retired"]),
    volumes: z.int().describe("Volumes that keep it, when retired"),
  })
  .register(ANSWER_SCHEMAS, { id: "DeletedDiskOffering" });

export type TDeletedOfferingJson = z.input<typeof ZDeletedOfferingJson>;
export type TDeletedDiskOfferingJson = z.input<typeof ZDeletedDiskOfferingJson>;

/** A storage pool as `GET /api/v1/admin/pools` lists it. */
export const ZPoolJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.string().describe("Dir or Netfs"),
    scope: z.string().describe("Local (one host) or Shared"),
    state: z.string(),
    stateReason: z.string().nullable(),
    libvirtName: z.string().describe("The pool's name in libvirt on its hosts"),
    path: z.string(),
    hosts: z.array(z.object({ id: z.uuid(), name: z.string() })),
  })
  .register(ANSWER_SCHEMAS, { id: "Pool" });
export const ZPoolListJson = z.object({ items: z.array(ZPoolJson) }).register(ANSWER_SCHEMAS, { id: "PoolList" });

const ZQuotaAmountsJson = z.object({ vms: z.int(), vcpus: z.int(), memoryMiB: z.int(), storageGiB: z.int() });
/** A user's quotas (theirs and their groups') with current use: `GET /api/v1/quota`. */
export const ZQuotaListJson = z
  .object({
    items: z.array(
      z.object({
        scope: z.string().describe("`user NAME` or `group NAME`"),
        limits: z.object({ vms: z.int().nullable(), vcpus: z.int().nullable(), memoryMiB: z.int().nullable(), storageGiB: z.int().nullable() }).describe("null: no limit"),
        use: ZQuotaAmountsJson,
      }),
    ),
  })
  .register(ANSWER_SCHEMAS, { id: "QuotaList" });

/** A quota as `POST /api/v1/admin/quota` set it (null: no limit). */
export const ZQuotaJson = z
  .object({ id: z.uuid(), userId: z.uuid().nullable(), groupId: z.uuid().nullable(), maxVms: z.int().nullable(), maxVcpus: z.int().nullable(), maxMemMiB: z.int().nullable(), maxStorGiB: z.int().nullable() })
  .register(ANSWER_SCHEMAS, { id: "Quota" });

export type TPoolJson = z.input<typeof ZPoolJson>;
export type TQuotaListJson = z.input<typeof ZQuotaListJson>;
export type TQuotaJson = z.input<typeof ZQuotaJson>;
// user sign-out
/** Whose password `POST /api/v1/admin/users/{user}/password` set (never the password). */
export const ZAccountPasswordResetJson = z.object({ username: z.string() }).register(ANSWER_SCHEMAS, { id: "AccountPasswordReset" });

/** What `POST /api/v1/admin/users/{user}/sign-out` ended. */
export const ZUserSignOutJson = z.object({ username: z.string(), ended: z.int().describe("Portal sessions ended; 0: none was open") }).register(ANSWER_SCHEMAS, { id: "UserSignOut" });

// pool add|define|delete, template register|add|copy|delete
/** A pool as `POST /api/v1/admin/pools` added it, with the jobs defining it in libvirt on its hosts. */
export const ZAddedPoolJson = ZPoolJson.omit({ hosts: true })
  .extend({
    sourceHost: z.string().nullable().describe("Netfs: the NFS server"),
    sourcePath: z.string().nullable().describe("Netfs: the export"),
    tags: z.array(z.string()),
    jobs: z.array(ZJobJson).describe("One pool.define job per host: each makes the pool Up, or Unhealthy with the reason"),
  })
  .register(ANSWER_SCHEMAS, { id: "AddedPool" });

/** What `POST /api/v1/admin/pools/{id}/define` started. */
export const ZDefinedPoolJson = z
  .object({ pool: z.object({ id: z.uuid(), name: z.string() }), jobs: z.array(ZJobJson).describe("One pool.define job per host") })
  .register(ANSWER_SCHEMAS, { id: "DefinedPool" });

/** What `DELETE /api/v1/admin/pools/{id}` did: deleted, or kept as Removed for its volumes' history. */
export const ZDeletedPoolJson = z.object({ id: z.uuid(), name: z.string(), outcome: z.enum(["deleted", "removed"]) }).register(ANSWER_SCHEMAS, { id: "DeletedPool" });

/** A template as an admin registered, added or changed it. */
export const ZAdminTemplateJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    state: z.string().describe("Downloading (by URL, until the server has fetched it), Ready or Error"),
    stateReason: z.string().nullable(),
    progress: z.int().min(0).max(100),
    format: z.string().nullable().describe("qcow2, raw or iso; null while a download by URL has not been examined (or was refused)"),
    sourceUrl: z.string().nullable(),
    sha256: z.string().nullable(),
    sizeBytes: z.string().describe("The image's size in bytes (decimal text: it may exceed 2^53)"),
    minDiskGiB: z.int(),
    supportsCloudInit: z.boolean(),
    supportsPasswordReset: z.boolean(),
    loginUser: z.string().describe("The guest account of the connect line ssh <loginUser>@<address>"),
    createdAt: z.iso.datetime(),
  })
  .register(ANSWER_SCHEMAS, { id: "AdminTemplate" });

/** `POST /api/v1/admin/templates/{id}/copies`: the template's copy in the pool, and the job making it (null when already there or on its way). */
export const ZTemplateCopyJson = z
  .object({
    copy: z.object({
      templateId: z.uuid(),
      poolId: z.uuid(),
      volumeName: z.string(),
      state: z.string().describe("Copying, Ready or Error"),
      progress: z.int().min(0).max(100),
      stateReason: z.string().nullable(),
      jobId: z.uuid().nullable(),
    }),
    jobId: z.uuid().nullable(),
  })
  .register(ANSWER_SCHEMAS, { id: "TemplateCopy" });

export const ZDeletedTemplateJson = z.object({ id: z.uuid(), name: z.string() }).register(ANSWER_SCHEMAS, { id: "DeletedTemplate" });

export type TAddedPoolJson = z.input<typeof ZAddedPoolJson>;
export type TAdminTemplateJson = z.input<typeof ZAdminTemplateJson>;
export type TTemplateCopyJson = z.input<typeof ZTemplateCopyJson>;
// directory show|set|test|sync, group list|map, user list|create|enable|disable, usage report|aggregate
/** The directory settings (`GET|POST /api/v1/admin/directory`): never the service account's password, only whether one is stored. */
export const ZDirectoryViewJson = z
  .object({
    configured: z.boolean(),
    config: ZDirectoryConfig.nullable().describe("The saved settings; null when none are"),
    bindPasswordSet: z.boolean().describe("Whether a service account password is stored (encrypted; it is never shown)"),
  })
  .register(ANSWER_SCHEMAS, { id: "DirectoryView" });

/** What `POST /api/v1/admin/directory/test` found: connected, bound, and how many users a sync would see. */
export const ZDirectoryCheckJson = z.object({ url: z.string(), users: z.int(), ms: z.int() }).register(ANSWER_SCHEMAS, { id: "DirectoryCheck" });

const ZOrphanVmJson = z.object({ id: z.uuid(), name: z.string(), state: z.string() });

/** What `POST /api/v1/admin/directory/sync` did. */
export const ZDirectorySyncJson = z
  .object({
    directoryUsers: z.int().describe("Enabled users the directory returned"),
    created: z.array(z.string()),
    updated: z.int(),
    reenabled: z.array(z.string()),
    disabled: z.array(z.object({ username: z.string(), vms: z.array(ZOrphanVmJson).describe("Their VMs, still there") })).describe("Directory users disabled because the directory no longer has them enabled"),
    conflicts: z.array(z.string()).describe("Directory names of local accounts (left alone)"),
    warning: z.string().nullable().describe("Why disabling was skipped, when it was"),
    durationMs: z.int(),
  })
  .register(ANSWER_SCHEMAS, { id: "DirectorySync" });

/** A group: its role mapping and team flag (`members`: in the list only). */
export const ZGroupJson = z
  .object({ id: z.uuid(), name: z.string(), ldapDn: z.string().nullable(), role: z.enum(["Admin", "User"]).nullable(), isTeam: z.boolean(), members: z.int().optional() })
  .register(ANSWER_SCHEMAS, { id: "Group" });
export const ZGroupListJson = z.object({ items: z.array(ZGroupJson) }).register(ANSWER_SCHEMAS, { id: "GroupList" });

/** An account as `GET /api/v1/admin/users` lists it: never a secret. */
export const ZUserJson = z
  .object({
    id: z.uuid(),
    username: z.string(),
    source: z.enum(["Local", "Ldap"]),
    role: z.enum(["Admin", "User"]),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
    disabledAt: z.iso.datetime().nullable(),
    disabledReason: z.string().nullable(),
    lastLoginAt: z.iso.datetime().nullable(),
    groups: z.array(z.string()),
    teams: z.array(z.string()),
    liveVms: z.int().describe("VMs not destroyed"),
  })
  .register(ANSWER_SCHEMAS, { id: "User" });
export const ZUserPageJson = z
  .object({ items: z.array(ZUserJson), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") })
  .register(ANSWER_SCHEMAS, { id: "UserPage" });

/** The local account `POST /api/v1/admin/users` created (never its password). */
export const ZCreatedUserJson = z
  .object({ id: z.uuid(), username: z.string(), source: z.enum(["Local", "Ldap"]), role: z.enum(["Admin", "User"]), displayName: z.string().nullable(), email: z.string().nullable(), createdAt: z.iso.datetime() })
  .register(ANSWER_SCHEMAS, { id: "CreatedUser" });

/** What `POST /api/v1/admin/users/{user}/enable|disable` did, with the VMs a disabled user still owns. */
export const ZUserEnabledJson = z.object({ username: z.string(), enabled: z.boolean(), vms: z.array(ZOrphanVmJson) }).register(ANSWER_SCHEMAS, { id: "UserEnabled" });

const ZUsageRowJson = z.object({
  id: z.string().nullable().describe("The user, team or offering id; null for usage without one"),
  name: z.string(),
  runningSeconds: z.number(),
  allocatedSeconds: z.number(),
  localVolumeGiBHours: z.number(),
  sharedVolumeGiBHours: z.number(),
  templateGiBHours: z.number(),
});

/** Everyone's usage per user, team or offering: `GET /api/v1/admin/usage`. */
export const ZUsageReportJson = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    by: z.enum(["user", "team", "offering"]),
    granularity: z.enum(["hour", "day"]),
    rows: z.array(ZUsageRowJson),
    csv: z.string().optional().describe("The same rows as CSV (header first), with format=csv"),
  })
  .register(ANSWER_SCHEMAS, { id: "UsageReport" });

/** The records `POST /api/v1/admin/usage/aggregate` rewrote. */
export const ZUsageAggregateJson = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    days: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }).nullable().describe("The whole UTC days whose day records were rewritten too"),
    hourRecords: z.int(),
    dayRecords: z.int(),
  })
  .register(ANSWER_SCHEMAS, { id: "UsageAggregate" });

export type TDirectoryViewJson = z.input<typeof ZDirectoryViewJson>;
export type TDirectoryCheckJson = z.input<typeof ZDirectoryCheckJson>;
export type TDirectorySyncJson = z.input<typeof ZDirectorySyncJson>;
export type TGroupJson = z.input<typeof ZGroupJson>;
export type TUserJson = z.input<typeof ZUserJson>;
export type TCreatedUserJson = z.input<typeof ZCreatedUserJson>;
export type TUserEnabledJson = z.input<typeof ZUserEnabledJson>;
export type TUsageReportJson = z.input<typeof ZUsageReportJson>;
export type TUsageAggregateJson = z.input<typeof ZUsageAggregateJson>;
