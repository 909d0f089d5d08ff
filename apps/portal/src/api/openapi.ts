import { ZAddSshKeyInput, ZCreateVmInput, ZCreateVolumeInput, ZListJobsInput, ZListVmEventsInput, ZListVmsInput, ZListVolumesInput, ZResetVmPasswordInput, ZSearchAuditInput, ZUnlockSignInInput, ZUsageHistoryInput } from "@carve/core";
import { ZCreateApiKeyInput } from "@carve/core";
import { ZReadSerialLogInput } from "@carve/core";
import { z } from "zod";
import { ZListPageQuery } from "./list-page.ts";
import { ZApiKeyJson, ZApiKeyListJson, ZCreatedApiKeyJson } from "./schemas.ts";
import { ZAccountPasswordResetJson, ZUserSignOutJson } from "./admin-schemas.ts";
import { ZAdminJobPageJson, ZAuditPageJson, ZUnlockSignInJson } from "./admin-schemas.ts";
import { ANSWER_SCHEMAS, ZAttachVolumeBody, ZCreatedVmJson, ZCreatedVolumeJson, ZDiskOfferingListJson, ZHostListJson, ZJobJson, ZMeJson, ZOfferingListJson, ZOpenApiJson, ZPasswordResetJson, ZResizeVolumeBody, ZRevealedPasswordJson, ZSshKeyJson, ZSshKeyListJson, ZTemplateListJson, ZUsageJson, ZVmAction, ZSerialLogJson, ZVmEventPageJson, ZVmJson, ZVmPageJson, ZVolumePageJson } from "./schemas.ts";
import { ZCreateDiskOfferingInput, ZCreateOfferingInput } from "@carve/core";
import { ZSetQuotaInput } from "@carve/core";
import { ZPoolListJson, ZQuotaJson, ZQuotaListJson } from "./admin-schemas.ts";
import { ZDeletedDiskOfferingJson, ZDeletedOfferingJson } from "./admin-schemas.ts";
import { ZDiskOfferingJson, ZOfferingJson } from "./schemas.ts";
import { ZAddHostInput, ZIssueJoinTokenInput } from "@carve/core";
import { ZAddedHostJson, ZDriftListJson, ZHostInventoryJson, ZIgnoredDriftJson, ZJoinTokenJson, ZMaintenanceCancelJson, ZMaintenancePlanJson, ZMaintenanceStartJson, ZRemovedHostJson, ZStatusJson } from "./host-schemas.ts";
import { ZAddPoolInput, ZAddTemplateInput, ZDefinePoolInput, ZEnsureTemplateCopyInput, ZRegisterTemplateInput } from "@carve/core";
import { ZUpdateTemplateInput } from "@carve/core";
import { ZAddedPoolJson, ZAdminTemplateJson, ZDefinedPoolJson, ZDeletedPoolJson, ZDeletedTemplateJson, ZTemplateCopyJson } from "./admin-schemas.ts";
import { ZMigrateVolumeBody, ZMigratingVolumeJson } from "./schemas.ts";
import { ZSetLogLevelInput, ZSetMigrationSettingsInput, ZSetPlacementSettingsInput, ZSetStorageSettingsInput, ZSetTemplateSettingsInput } from "@carve/core";
import { ZLogLevelsJson, ZMigrateVmBody, ZMigrationSettingsJson, ZPlacementSettingsJson, ZStopVmBody, ZStorageSettingsJson, ZTemplateSettingsJson, ZVmPlanJson } from "./vm-settings-schemas.ts";
import { ZCreateNetworkInput, ZDefineNetworkInput, ZUpdateNetworkInput } from "@carve/core";
import { ZDefinedNetworkJson, ZDeletedNetworkJson, ZNetworkDetailJson, ZNetworkJson, ZNetworkListJson } from "./network-schemas.ts";
import { ZConfigureDirectoryInput, ZCreateLocalUserInput, ZResetPasswordInput, ZMapGroupInput, ZUsageRange, ZUsageReportInput } from "@carve/core";
import { ZCreateSecurityGroupInput, ZSetNetworkSettingsInput } from "@carve/core";
import { ZAddedSecurityRuleJson, ZAddSecurityRuleBody, ZDeletedSecurityGroupJson, ZNetworkSettingsJson, ZOpenedPortJson, ZOpenVmPortBody, ZRemovedSecurityRuleJson, ZSecurityGroupJson, ZSecurityGroupPageJson, ZSetVmSecurityGroupsBody, ZVmSecurityGroupsJson } from "./security-group-schemas.ts";
// console (issue 18)
import { ZOpenConsoleInput } from "@carve/core";
import { ZConsoleLinkJson } from "./schemas.ts";
import { ZCreatedUserJson, ZDirectoryCheckJson, ZDirectorySyncJson, ZDirectoryViewJson, ZGroupJson, ZGroupListJson, ZUsageAggregateJson, ZUsageReportJson, ZUserEnabledJson, ZUserPageJson } from "./admin-schemas.ts";

/** Request bodies, named under components.schemas; core's own input schemas, so the document says exactly what core accepts. */
const REQUEST_SCHEMAS = z.registry<{ id: string }>();
REQUEST_SCHEMAS.add(ZCreateVmInput, { id: "CreateVmInput" });
const ZResetPasswordBody = ZResetVmPasswordInput.pick({ user: true }).partial();
REQUEST_SCHEMAS.add(ZResetPasswordBody, { id: "ResetVmPasswordInput" });
REQUEST_SCHEMAS.add(ZAddSshKeyInput, { id: "AddSshKeyInput" });
REQUEST_SCHEMAS.add(ZCreateVolumeInput, { id: "CreateVolumeInput" });
REQUEST_SCHEMAS.add(ZAttachVolumeBody, { id: "AttachVolumeInput" });
REQUEST_SCHEMAS.add(ZResizeVolumeBody, { id: "ResizeVolumeInput" });
REQUEST_SCHEMAS.add(ZUnlockSignInInput, { id: "UnlockSignInInput" });

interface TRouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  query?: z.ZodObject;
  pathParams?: Record<string, z.ZodType>;
  body?: z.ZodType;
  status: 200 | 201 | 202;
  response: z.ZodType;
  /** Admins only (403 for everyone else). */
  admin?: boolean;
  /** Accepts an Idempotency-Key header (apiRoute's `idempotency` option). */
  idempotent?: boolean;
  /** Refusals particular to this route, by status. */
  errors?: Record<string, string>;
  /** The body may be left out. */
  optionalBody?: boolean;
  /** Answered without credentials (the document says `security: []`). */
  public?: boolean;
}

const ZVmId = z.string().describe("The VM's id (or its name)");
const ZVolumeId = z.string().describe("The volume's id (or its name)");
/** The audit search's query as sent: its instants are ISO 8601 text (core reads them as dates). */
const ZAuditQuery = ZSearchAuditInput.extend({ from: z.iso.datetime().optional().describe("From this instant (inclusive)"), to: z.iso.datetime().optional().describe("Before this instant") });

/** Every route under /api/v1; the document is built from this list and the schemas the routes use. */
export const API_ROUTES: TRouteDoc[] = [
  { method: "get", path: "/api/v1/vms", summary: "List your VMs (admins: everyone's), newest first, a page at a time", query: ZListVmsInput.pick({ limit: true, cursor: true, state: true, host: true, owner: true, name: true }), status: 200, response: ZVmPageJson },
  { method: "post", path: "/api/v1/vms", summary: "Create a VM; answers at once with the VM as it is then (Creating, or already further along) and the job to watch", body: ZCreateVmInput, status: 202, response: ZCreatedVmJson, idempotent: true },
  { method: "get", path: "/api/v1/vms/{id}", summary: "One VM", pathParams: { id: ZVmId }, status: 200, response: ZVmJson },
  {
    method: "delete",
    path: "/api/v1/vms/{id}",
    summary: "Destroy a VM and its root disk; its data volumes are kept (detached) unless `withVolumes=true`; answers with the job",
    pathParams: { id: ZVmId },
    query: z.object({ withVolumes: z.enum(["true", "false"]).optional().describe("Also delete the VM's data volumes (default false)") }),
    status: 202,
    response: ZJobJson,
  },
  { method: "post", path: "/api/v1/vms/{id}/{action}", summary: "Start or reboot a VM; answers with the job (stop: /api/v1/vms/{id}/stop)", pathParams: { id: ZVmId, action: ZVmAction }, status: 202, response: ZJobJson },
  {
    method: "post",
    path: "/api/v1/vms/{id}/password",
    summary: "Set a new generated password for a guest user of a running VM (root unless `user` is given); answers with the job and where to view the password once",
    pathParams: { id: ZVmId },
    body: ZResetPasswordBody,
    optionalBody: true,
    status: 202,
    response: ZPasswordResetJson,
  },
  {
    method: "post",
    path: "/api/v1/vms/{id}/password/reveal",
    summary: "View the VM's generated password (its first password, or the latest reset) waiting for you: once, within 10 minutes, after its job succeeded",
    pathParams: { id: ZVmId },
    status: 200,
    response: ZRevealedPasswordJson,
    errors: { "410": "PASSWORD_NOT_AVAILABLE: already shown once, expired, or its job failed (reset the password again)" },
  },
  { method: "get", path: "/api/v1/vms/{id}/events", summary: "The VM's event timeline, newest first, a page at a time", pathParams: { id: ZVmId }, query: ZListVmEventsInput.pick({ limit: true, cursor: true }), status: 200, response: ZVmEventPageJson },
  // console (issue 18)
  { method: "get", path: "/api/v1/vms/{id}/serial-log", summary: "The last lines of the VM's serial console log (read on its host)", pathParams: { id: ZVmId }, query: ZReadSerialLogInput.pick({ lines: true }), status: 200, response: ZSerialLogJson, errors: { "503": "CONSOLE_UNAVAILABLE: the VM's host is not Up or serves no consoles" } },
  { method: "get", path: "/api/v1/usage", summary: "Your metered usage per day (or hour), oldest first", query: ZUsageHistoryInput, status: 200, response: ZUsageJson },
  { method: "get", path: "/api/v1/templates", summary: "Templates VMs can be created from, a page at a time", query: ZListPageQuery, status: 200, response: ZTemplateListJson },
  { method: "get", path: "/api/v1/offerings", summary: "Active service offerings, smallest first, a page at a time", query: ZListPageQuery, status: 200, response: ZOfferingListJson },
  { method: "get", path: "/api/v1/disk-offerings", summary: "Active disk offerings (data volume sizes and storage), smallest first, a page at a time", query: ZListPageQuery, status: 200, response: ZDiskOfferingListJson },
  { method: "get", path: "/api/v1/jobs/{id}", summary: "A job you started (admins: any job)", pathParams: { id: z.uuid() }, status: 200, response: ZJobJson },
  { method: "get", path: "/api/v1/hosts", summary: "Hosts with capacity and state", status: 200, response: ZHostListJson, admin: true },
  { method: "get", path: "/api/v1/admin/jobs", summary: "Every job, failed ones first, then the others newest first, a page at a time", query: ZListJobsInput, status: 200, response: ZAdminJobPageJson, admin: true },
  { method: "get", path: "/api/v1/volumes", summary: "Your volumes (admins: everyone's), newest first, a page at a time", query: ZListVolumesInput, status: 200, response: ZVolumePageJson },
  { method: "post", path: "/api/v1/volumes", summary: "Create an empty data volume from a disk offering; answers with it and the job to watch", body: ZCreateVolumeInput, status: 202, response: ZCreatedVolumeJson },
  { method: "delete", path: "/api/v1/volumes/{id}", summary: "Delete a detached data volume and its data; answers with the job", pathParams: { id: ZVolumeId }, status: 202, response: ZJobJson },
  { method: "post", path: "/api/v1/volumes/{id}/attach", summary: "Attach a data volume to one of your VMs; answers with the job", pathParams: { id: ZVolumeId }, body: ZAttachVolumeBody, status: 202, response: ZJobJson },
  { method: "post", path: "/api/v1/volumes/{id}/detach", summary: "Detach a data volume from its VM (the volume stays); answers with the job", pathParams: { id: ZVolumeId }, status: 202, response: ZJobJson },
  { method: "post", path: "/api/v1/volumes/{id}/resize", summary: "Grow a data volume (live when its VM runs); answers with the job", pathParams: { id: ZVolumeId }, body: ZResizeVolumeBody, status: 202, response: ZJobJson },
  { method: "get", path: "/api/v1/ssh-keys", summary: "Your SSH public keys, put into new cloud-init VMs", status: 200, response: ZSshKeyListJson },
  { method: "post", path: "/api/v1/ssh-keys", summary: "Store one of your SSH public keys (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa of 2048 bits or more)", body: ZAddSshKeyInput, status: 201, response: ZSshKeyJson },
  { method: "delete", path: "/api/v1/ssh-keys/{key}", summary: "Remove one of your SSH keys (VMs made with it keep it)", pathParams: { key: z.string().describe("The key's name or id") }, status: 200, response: ZSshKeyJson },
  { method: "get", path: "/api/v1/me", summary: "Who you act as: your account, role, and the API key's scope", status: 200, response: ZMeJson },
  { method: "get", path: "/api/v1/admin/audit", summary: "The audit trail, newest first, a page at a time, by who, action (or a kind: `vm.`), target, outcome and time", query: ZAuditQuery, status: 200, response: ZAuditPageJson, admin: true },
  { method: "post", path: "/api/v1/admin/sign-in-unlock", summary: "Clear the sign-in throttle of a username (every address) or a client address (every username); audited", body: ZUnlockSignInInput, status: 200, response: ZUnlockSignInJson, admin: true },
  { method: "get", path: "/api/v1/openapi.json", summary: "This document", status: 200, response: ZOpenApiJson, public: true },
];

// Admin offering routes: `carve offering|disk-offering create|delete` in remote mode.
REQUEST_SCHEMAS.add(ZCreateOfferingInput, { id: "CreateOfferingInput" });
REQUEST_SCHEMAS.add(ZCreateDiskOfferingInput, { id: "CreateDiskOfferingInput" });
const ZOfferingRef = z.string().describe("The offering's name or id");
API_ROUTES.push(
  { method: "post", path: "/api/v1/admin/offerings", summary: "Create a service offering (vCPUs, memory, root disk) users pick when creating a VM", body: ZCreateOfferingInput, status: 201, response: ZOfferingJson, admin: true },
  {
    method: "delete",
    path: "/api/v1/admin/offerings/{id}",
    summary: "Delete a service offering no live VM uses; with `retire=true`, one that VMs use is retired (no new VM can pick it) instead of refused",
    pathParams: { id: ZOfferingRef },
    query: z.object({ retire: z.enum(["true", "false"]).optional().describe("While VMs use it: retire it instead of refusing (default false)") }),
    status: 200,
    response: ZDeletedOfferingJson,
    admin: true,
  },
  { method: "post", path: "/api/v1/admin/disk-offerings", summary: "Create a disk offering: a fixed sizeGiB, or a custom size between minSizeGiB and maxSizeGiB, on Local or Shared storage", body: ZCreateDiskOfferingInput, status: 201, response: ZDiskOfferingJson, admin: true },
  { method: "delete", path: "/api/v1/admin/disk-offerings/{id}", summary: "Delete a disk offering; one that volumes refer to is retired (no new volume can use it) instead", pathParams: { id: z.string().describe("The disk offering's name or id") }, status: 200, response: ZDeletedDiskOfferingJson, admin: true },
);

// Pools and quotas: `carve pool list` and `carve quota show|set` in remote mode.
REQUEST_SCHEMAS.add(ZSetQuotaInput, { id: "SetQuotaInput" });
API_ROUTES.push(
  { method: "get", path: "/api/v1/admin/pools", summary: "Storage pools (not removed) with their hosts, by name", status: 200, response: ZPoolListJson, admin: true },
  { method: "get", path: "/api/v1/quota", summary: "Your quotas (yours and your groups') with current use; admins: any user's (`user`)", query: z.object({ user: z.string().optional().describe("A username (admins only; default: you)") }), status: 200, response: ZQuotaListJson },
  { method: "post", path: "/api/v1/admin/quota", summary: "Set limits of one user or group (null removes a limit, a left-out one stays as it is)", body: ZSetQuotaInput, status: 200, response: ZQuotaJson, admin: true },
);

const ERROR_STATUSES: Record<string, string> = {
  "400": "Bad input (INVALID_INPUT names each field and its fix)",
  "401": "No valid session or API key",
  "403": "Not allowed (role, API key scope, or a cross-site request)",
  "404": "Not found among what you can see",
  "405": "The route does not take this method (METHOD_NOT_ALLOWED; the Allow header lists the ones it takes)",
  "409": "Conflicts with the current state (VM_BUSY, NO_CAPACITY, QUOTA_EXCEEDED, …)",
  "413": "The request body is over the API's limit of 1 MiB (PAYLOAD_TOO_LARGE)",
  "415": "The request body is not sent as JSON (UNSUPPORTED_MEDIA_TYPE)",
};

const IDEMPOTENCY_KEY_PARAMETER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Any unique string of yours (a UUID, say), sent again unchanged when you retry: a retry within 24 hours answers the first request's result (the same VM and job) instead of creating again, also when the first answer was lost. Keys are yours alone; a key used with a different body is refused (422 REQUEST_KEY_REUSED).",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
};

const IDEMPOTENCY_ERRORS: Record<string, string> = { "422": "REQUEST_KEY_REUSED: the Idempotency-Key was used for a different request" };

const uri = (id: string) => `#/components/schemas/${id}`;

function errorResponses(statuses: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, { description, content: { "application/json": { schema: { $ref: uri("Error") } } } }]));
}

function ref(registry: typeof ANSWER_SCHEMAS, schema: z.ZodType): { $ref: string } {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error("every request and answer schema of the API must be registered with an id");
  return { $ref: uri(id) };
}

/** A schema embedded in the document: OpenAPI 3.1 sets the dialect, and ids are the component names. */
function embedded(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function components(registry: typeof ANSWER_SCHEMAS, io: "input" | "output"): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(registry, { io, uri });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, embedded(schema)]));
}

function parameterSchema(schema: z.ZodType): unknown {
  return embedded(z.toJSONSchema(schema, { io: "input" }));
}

/** The OpenAPI 3.1 document of the REST API, generated from the zod schemas the routes use. */
export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errors = errorResponses(ERROR_STATUSES);
  for (const route of API_ROUTES) {
    const parameters = [
      ...Object.entries(route.pathParams ?? {}).map(([name, schema]) => ({ name, in: "path", required: true, schema: parameterSchema(schema) })),
      ...Object.entries(route.query?.shape ?? {}).map(([name, schema]) => ({ name, in: "query", required: false, schema: parameterSchema(schema as z.ZodType) })),
      ...(route.idempotent ? [IDEMPOTENCY_KEY_PARAMETER] : []),
    ];
    const routeErrors = { ...route.errors, ...(route.idempotent ? IDEMPOTENCY_ERRORS : {}) };
    const operations = (paths[route.path] ??= {});
    operations[route.method] = {
      summary: route.summary,
      ...(route.admin ? { description: "Admins only." } : {}),
      ...(route.public ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: !route.optionalBody, content: { "application/json": { schema: ref(REQUEST_SCHEMAS, route.body) } } } } : {}),
      responses: { [String(route.status)]: { description: "OK", content: { "application/json": { schema: ref(ANSWER_SCHEMAS, route.response) } } }, ...errors, ...errorResponses(routeErrors) },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Carve API", version: "1", description: "Self-service developer VMs. Authenticate with 'Authorization: Bearer <API key>' or the portal's session cookie." },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }, { session: [] }],
    paths,
    components: {
      schemas: { ...components(ANSWER_SCHEMAS, "output"), ...components(REQUEST_SCHEMAS, "input") },
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A Carve API key ('carve apikey create')" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
    },
  };
}

// apikey create|list|revoke
REQUEST_SCHEMAS.add(ZCreateApiKeyInput, { id: "CreateApiKeyInput" });
API_ROUTES.push(
  { method: "get", path: "/api/v1/api-keys", summary: "Your API keys (admins: another user's with `user`), newest first, without their secrets", query: z.object({ user: z.string().optional().describe("Admins: the user (username or id) whose keys to list") }), status: 200, response: ZApiKeyListJson },
  { method: "post", path: "/api/v1/api-keys", summary: "Create an API key (admins: for another user with `user`); the answer holds the key itself, shown this once and never again", body: ZCreateApiKeyInput, status: 201, response: ZCreatedApiKeyJson },
  { method: "delete", path: "/api/v1/api-keys/{key}", summary: "Revoke one of your API keys (admins: anyone's) by prefix or id; it stops working at once", pathParams: { key: z.string().describe("The key's prefix or id") }, status: 200, response: ZApiKeyJson },
);

// user sign-out
API_ROUTES.push({
  method: "post",
  path: "/api/v1/admin/users/{user}/sign-out",
  summary: "End every portal session of a user at once (their API keys keep working: revoke those separately); audited",
  pathParams: { user: z.string().describe("The user's username or id") },
  status: 200,
  response: ZUserSignOutJson,
  admin: true,
});

// status, host add|join-token|remove|inspect, host maintenance plan|start|cancel, drift list|ignore|destroy
const ZJoinTokenBody = ZIssueJoinTokenInput.pick({ ttlMinutes: true });
REQUEST_SCHEMAS.add(ZAddHostInput, { id: "AddHostInput" });
REQUEST_SCHEMAS.add(ZJoinTokenBody, { id: "JoinTokenInput" });
const ZHostRef = z.string().describe("The host's name or id");
const ZDriftId = z.uuid().describe("The drift item's id ('carve drift list')");
API_ROUTES.push(
  { method: "get", path: "/api/v1/admin/status", summary: "Hosts and their use, live VMs by state, jobs in flight and jobs failed in the last hour", status: 200, response: ZStatusJson, admin: true },
  {
    method: "post",
    path: "/api/v1/admin/hosts",
    summary: "Register a hypervisor host (Disconnected until its agent joins); the answer holds its one-time join token, shown this once, and the join command to run on the host",
    body: ZAddHostInput,
    status: 201,
    response: ZAddedHostJson,
    admin: true,
  },
  { method: "delete", path: "/api/v1/admin/hosts/{host}", summary: "Remove a host with no VMs left; its libvirt pools and domains stay on it", pathParams: { host: ZHostRef }, status: 200, response: ZRemovedHostJson, admin: true },
  {
    method: "post",
    path: "/api/v1/admin/hosts/{host}/join-token",
    summary: "Issue a new one-time join token for a host (the earlier one stops working), shown this once with its join command",
    pathParams: { host: ZHostRef },
    body: ZJoinTokenBody,
    status: 201,
    response: ZJoinTokenJson,
    admin: true,
  },
  { method: "post", path: "/api/v1/admin/hosts/{host}/inspect", summary: "Ask the host's agent what libvirt has (domains, pools, volumes); answers with the job, whose inventory GET /api/v1/admin/jobs/{id}/inventory shows", pathParams: { host: ZHostRef }, status: 202, response: ZJobJson, admin: true },
  { method: "get", path: "/api/v1/admin/jobs/{id}/inventory", summary: "What a host inventory job found, once it has succeeded", pathParams: { id: z.uuid() }, status: 200, response: ZHostInventoryJson, admin: true },
  { method: "get", path: "/api/v1/admin/hosts/{host}/maintenance", summary: "Dry run of the host's maintenance: each VM, how it would leave and where to, the disks copied along, and what blocks", pathParams: { host: ZHostRef }, status: 200, response: ZMaintenancePlanJson, admin: true },
  { method: "post", path: "/api/v1/admin/hosts/{host}/maintenance", summary: "Start the host's maintenance (PrepareForMaintenance, then Maintenance once every VM has left); answers with the job and the plan it follows", pathParams: { host: ZHostRef }, status: 202, response: ZMaintenanceStartJson, admin: true },
  { method: "delete", path: "/api/v1/admin/hosts/{host}/maintenance", summary: "Return the host to service (Up); moves not yet done are stopped", pathParams: { host: ZHostRef }, status: 200, response: ZMaintenanceCancelJson, admin: true },
  {
    method: "get",
    path: "/api/v1/admin/drift",
    summary: "Domains on the hosts that Carve does not manage, as reconciliation found them: open ones, or with `all=true` also ignored and resolved ones",
    query: z.object({ all: z.enum(["true", "false"]).optional().describe("Also ignored and resolved drift (default false)") }),
    status: 200,
    response: ZDriftListJson,
    admin: true,
  },
  { method: "post", path: "/api/v1/admin/drift/{id}/ignore", summary: "Leave a drifting domain alone; it drops off the open drift list", pathParams: { id: ZDriftId }, status: 200, response: ZIgnoredDriftJson, admin: true },
  { method: "post", path: "/api/v1/admin/drift/{id}/destroy", summary: "Pull the plug on a drifting Carve-named domain and undefine it (its disks are kept); answers with the job", pathParams: { id: ZDriftId }, status: 202, response: ZJobJson, admin: true },
);

// pool add|define|delete, template register|add|copy|delete, volume migrate|migrate-cancel
REQUEST_SCHEMAS.add(ZAddPoolInput, { id: "AddPoolInput" });
const ZDefinePoolBody = ZDefinePoolInput.omit({ pool: true });
REQUEST_SCHEMAS.add(ZDefinePoolBody, { id: "DefinePoolInput" });
REQUEST_SCHEMAS.add(ZRegisterTemplateInput, { id: "RegisterTemplateInput" });
REQUEST_SCHEMAS.add(ZAddTemplateInput, { id: "AddTemplateInput" });
const ZCopyTemplateBody = ZEnsureTemplateCopyInput.omit({ template: true });
REQUEST_SCHEMAS.add(ZCopyTemplateBody, { id: "CopyTemplateInput" });
REQUEST_SCHEMAS.add(ZMigrateVolumeBody, { id: "MigrateVolumeInput" });
const ZPoolRef = z.string().describe("The pool's name or id");
const ZTemplateRef = z.string().describe("The template's name or id");
API_ROUTES.push(
  { method: "post", path: "/api/v1/admin/pools", summary: "Register a storage pool the given hosts see (Dir, or Netfs with sourceHost and sourcePath); answers with it and one pool.define job per host", body: ZAddPoolInput, status: 201, response: ZAddedPoolJson, admin: true },
  { method: "post", path: "/api/v1/admin/pools/{id}/define", summary: "(Re)define a pool in libvirt on every host that sees it, or on `host` only: after fixing a mount or export, or when a host joined it", pathParams: { id: ZPoolRef }, body: ZDefinePoolBody, optionalBody: true, status: 202, response: ZDefinedPoolJson, admin: true },
  { method: "delete", path: "/api/v1/admin/pools/{id}", summary: "Delete a pool no volume uses any more (one volumes once used is kept as Removed for their history); its files stay on the hosts", pathParams: { id: ZPoolRef }, status: 200, response: ZDeletedPoolJson, admin: true },
  { method: "post", path: "/api/v1/admin/templates", summary: "Register a template by http(s) URL on the source allow-list; the server downloads it (follow it in the template list)", body: ZRegisterTemplateInput, status: 201, response: ZAdminTemplateJson, admin: true },
  { method: "post", path: "/api/v1/admin/pool-templates", summary: "Register a template whose image is already a volume in one or more pools; it is Ready at once", body: ZAddTemplateInput, status: 201, response: ZAdminTemplateJson, admin: true },
  { method: "post", path: "/api/v1/admin/templates/{id}/copies", summary: "Copy a downloaded, Ready template to a pool now rather than on first use; answers with the copy and its job (null when it was there or on its way)", pathParams: { id: ZTemplateRef }, body: ZCopyTemplateBody, status: 202, response: ZTemplateCopyJson, admin: true },
  { method: "delete", path: "/api/v1/admin/templates/{id}", summary: "Delete a template in any state that no live VM uses (a download in progress stops)", pathParams: { id: ZTemplateRef }, status: 200, response: ZDeletedTemplateJson, admin: true },
  { method: "post", path: "/api/v1/volumes/{id}/migrate", summary: "Move a detached volume, or a stopped VM's disk, to another storage pool (verified by checksum before the source goes); answers with the migration's job", pathParams: { id: ZVolumeId }, body: ZMigrateVolumeBody, status: 202, response: ZMigratingVolumeJson },
  { method: "post", path: "/api/v1/volumes/{id}/migrate-cancel", summary: "Stop a volume's storage migration: it stays in its source pool; answers with the migration's job", pathParams: { id: ZVolumeId }, status: 200, response: ZJobJson },
);

// vm migrate|migrate-cancel|plan|stop, settings placement|templates|migration|storage|log-level
REQUEST_SCHEMAS.add(ZStopVmBody, { id: "StopVmInput" });
REQUEST_SCHEMAS.add(ZMigrateVmBody, { id: "MigrateVmInput" });
REQUEST_SCHEMAS.add(ZSetPlacementSettingsInput, { id: "SetPlacementSettingsInput" });
REQUEST_SCHEMAS.add(ZSetTemplateSettingsInput, { id: "SetTemplateSettingsInput" });
REQUEST_SCHEMAS.add(ZSetMigrationSettingsInput, { id: "SetMigrationSettingsInput" });
REQUEST_SCHEMAS.add(ZSetStorageSettingsInput, { id: "SetStorageSettingsInput" });
REQUEST_SCHEMAS.add(ZSetLogLevelInput, { id: "SetLogLevelInput" });
const settingsRoute = (group: string, summary: string, body: z.ZodType, response: z.ZodType): TRouteDoc => ({
  method: "post",
  path: `/api/v1/admin/settings/${group}`,
  summary: `${summary}; a field left out stays as it is, and an empty body only shows the settings. Answers the settings in force`,
  body,
  optionalBody: true,
  status: 200,
  response,
  admin: true,
});
API_ROUTES.push(
  {
    method: "post",
    path: "/api/v1/vms/{id}/stop",
    summary: "Stop a VM: ACPI shutdown, forced off after `timeoutSec` (default 60), or at once with `force`; answers with the job",
    pathParams: { id: ZVmId },
    body: ZStopVmBody,
    optionalBody: true,
    status: 202,
    response: ZJobJson,
  },
  {
    method: "post",
    path: "/api/v1/placement/plan",
    summary: "Where would this VM go? A VM create's checks (placement, data disks, your quota) as a dry run: nothing is reserved",
    body: ZCreateVmInput,
    status: 200,
    response: ZVmPlanJson,
  },
  {
    method: "post",
    path: "/api/v1/admin/vms/{id}/migrate",
    summary: "Move a VM to another host (`host`, or the one placement picks): a running VM live-migrates, a stopped one moves cold; local disks are copied along. Answers with the job",
    pathParams: { id: ZVmId },
    body: ZMigrateVmBody,
    optionalBody: true,
    status: 202,
    response: ZJobJson,
    admin: true,
  },
  { method: "post", path: "/api/v1/admin/vms/{id}/migrate-cancel", summary: "Abort a VM's live migration (it keeps running where it was); answers with the migration's job", pathParams: { id: ZVmId }, status: 200, response: ZJobJson, admin: true },
  settingsRoute("placement", "Change the placement policy (spread or pack) and the pool threshold", ZSetPlacementSettingsInput, ZPlacementSettingsJson),
  settingsRoute("templates", "Change where template images may be downloaded from (the allow-list, private addresses) and how large they may be", ZSetTemplateSettingsInput, ZTemplateSettingsJson),
  settingsRoute("migration", "Change the live-migration timeout", ZSetMigrationSettingsInput, ZMigrationSettingsJson),
  settingsRoute("storage", "Change the storage-migration bandwidth cap (MiB/s per stream, 0: unlimited)", ZSetStorageSettingsInput, ZStorageSettingsJson),
  settingsRoute("log-level", "Change the log level of the running controllers, agents or both (`default`: their LOG_LEVEL), without a restart", ZSetLogLevelInput, ZLogLevelsJson),
);

// directory show|set|test|sync, group list|map, user list|create|enable|disable, usage report|aggregate
REQUEST_SCHEMAS.add(ZConfigureDirectoryInput, { id: "ConfigureDirectoryInput" });
REQUEST_SCHEMAS.add(ZMapGroupInput, { id: "MapGroupInput" });
REQUEST_SCHEMAS.add(ZCreateLocalUserInput, { id: "CreateLocalUserInput" });
const ZResetAccountPasswordBody = ZResetPasswordInput.omit({ user: true });
REQUEST_SCHEMAS.add(ZResetAccountPasswordBody, { id: "ResetAccountPasswordInput" });
REQUEST_SCHEMAS.add(ZUsageRange, { id: "UsageRangeInput" });
const ZUserRef = z.string().describe("The user's username or id");
API_ROUTES.push(
  { method: "get", path: "/api/v1/admin/directory", summary: "The directory (LDAP / Active Directory) settings; never the service account's password, only whether one is stored", status: 200, response: ZDirectoryViewJson, admin: true },
  {
    method: "post",
    path: "/api/v1/admin/directory",
    summary: "Change the directory settings: `settings` over the saved ones (or a `preset`'s), validated as a whole; `bindPassword` sets the service account's password (stored encrypted, never answered; null removes it); audited",
    body: ZConfigureDirectoryInput,
    status: 200,
    response: ZDirectoryViewJson,
    admin: true,
  },
  { method: "post", path: "/api/v1/admin/directory/test", summary: "Connect with the saved settings, bind as the service account and count the users a sync would see; changes nothing", status: 200, response: ZDirectoryCheckJson, admin: true },
  { method: "post", path: "/api/v1/admin/directory/sync", summary: "Sync users and groups now; directory users the directory no longer has enabled are disabled (sessions, API keys and Slack stop at once), their VMs listed", status: 200, response: ZDirectorySyncJson, admin: true },
  { method: "get", path: "/api/v1/admin/groups", summary: "Every group with its role, team flag and member count, by name", status: 200, response: ZGroupListJson, admin: true },
  { method: "post", path: "/api/v1/admin/groups", summary: "Map a group (name or DN; made when there is none yet) to a role (null: none) and/or make it a team; its directory users' roles change at once", body: ZMapGroupInput, status: 200, response: ZGroupJson, admin: true },
  {
    method: "get",
    path: "/api/v1/admin/users",
    summary: "Every account with source, role, state, teams and live VMs, by username, a page at a time; never a secret",
    query: ZListPageQuery.extend({
      disabled: z.enum(["true", "false"]).optional().describe("true: only disabled accounts (with the VMs they still own)"),
      search: z.string().optional().describe("Only accounts whose username, name or email contain this"),
    }),
    status: 200,
    response: ZUserPageJson,
    admin: true,
  },
  { method: "post", path: "/api/v1/admin/users", summary: "Create a local account (service or break-glass; everyone else signs in with the directory); the password is stored as a hash and never answered", body: ZCreateLocalUserInput, status: 201, response: ZCreatedUserJson, admin: true },
  { method: "post", path: "/api/v1/admin/users/{user}/disable", summary: "Disable an account: its sessions, API keys and Slack access stop at once; answers with the VMs it still owns", pathParams: { user: ZUserRef }, status: 200, response: ZUserEnabledJson, admin: true },
  { method: "post", path: "/api/v1/admin/users/{user}/password", summary: "Set a new password on a local account (directory users change theirs in the directory); every session of the user ends; the password is stored as a hash and never answered", pathParams: { user: ZUserRef }, body: ZResetAccountPasswordBody, status: 200, response: ZAccountPasswordResetJson, admin: true },
  { method: "post", path: "/api/v1/admin/users/{user}/enable", summary: "Enable an account again (sessions ended while it was disabled stay ended)", pathParams: { user: ZUserRef }, status: 200, response: ZUserEnabledJson, admin: true },
  {
    method: "get",
    path: "/api/v1/admin/usage",
    summary: "Everyone's metered usage per user, team or offering, for the records whose period starts in [from, to); format=csv adds the rows as CSV",
    query: ZUsageReportInput,
    status: 200,
    response: ZUsageReportJson,
    admin: true,
  },
  { method: "post", path: "/api/v1/admin/usage/aggregate", summary: "Recompute the usage records of [from, to) (whole UTC hours, over by now) from the event history; safe to repeat", body: ZUsageRange, status: 200, response: ZUsageAggregateJson, admin: true },
);

// networks (issue 17): network create|list|show|update|delete in remote mode
REQUEST_SCHEMAS.add(ZCreateNetworkInput, { id: "CreateNetworkInput" });
const ZUpdateNetworkBody = ZUpdateNetworkInput.omit({ network: true });
REQUEST_SCHEMAS.add(ZUpdateNetworkBody, { id: "UpdateNetworkInput" });
const ZNetworkRef = z.string().describe("The network's name or id");
API_ROUTES.push(
  { method: "get", path: "/api/v1/admin/networks", summary: "Guest networks with their hosts and address use (range size, NICs, free addresses), by name", status: 200, response: ZNetworkListJson, admin: true },
  {
    method: "post",
    path: "/api/v1/admin/networks",
    summary: "Register a guest network: Managed (a libvirt network Carve defines) or Bridge (an existing Linux bridge); its CIDR must overlap no other network, its range lie inside the CIDR and its gateway outside the range",
    body: ZCreateNetworkInput,
    status: 201,
    response: ZNetworkJson,
    admin: true,
  },
  { method: "get", path: "/api/v1/admin/networks/{network}", summary: "One network with the VMs on it and their addresses", pathParams: { network: ZNetworkRef }, status: 200, response: ZNetworkDetailJson, admin: true },
  {
    method: "patch",
    path: "/api/v1/admin/networks/{network}",
    summary: "Change a network (fields left out stay); a change that would strand the VMs on it (CIDR, gateway, a range without their addresses, a host they run on) is refused, naming them",
    pathParams: { network: ZNetworkRef },
    body: ZUpdateNetworkBody,
    status: 200,
    response: ZNetworkJson,
    admin: true,
    errors: { "409": "NETWORK_IN_USE: VMs on the network would be stranded by the change (the message names them)" },
  },
  {
    method: "delete",
    path: "/api/v1/admin/networks/{network}",
    summary: "Delete a network no VM and no offering uses",
    pathParams: { network: ZNetworkRef },
    status: 200,
    response: ZDeletedNetworkJson,
    admin: true,
    errors: { "409": "HAS_DEPENDENTS: VMs or offerings use it (the message names them and the order to remove them in)" },
  },
);
// template update: the connect line's login user (issue 17)
const ZUpdateTemplateBody = ZUpdateTemplateInput.omit({ template: true });
REQUEST_SCHEMAS.add(ZUpdateTemplateBody, { id: "UpdateTemplateInput" });
API_ROUTES.push({
  method: "post",
  path: "/api/v1/admin/templates/{id}",
  summary: "Change a template's description, login user (the connect line `ssh <loginUser>@<address>` of its VMs) or whether its image has the guest agent or cloud-init; the image stays",
  pathParams: { id: ZTemplateRef },
  body: ZUpdateTemplateBody,
  status: 200,
  response: ZAdminTemplateJson,
  admin: true,
});
// security groups (issue 17): sg create|list|show|delete, sg rule add|remove, vm groups, vm open, settings network
REQUEST_SCHEMAS.add(ZCreateSecurityGroupInput, { id: "CreateSecurityGroupInput" });
REQUEST_SCHEMAS.add(ZAddSecurityRuleBody, { id: "AddSecurityRuleInput" });
REQUEST_SCHEMAS.add(ZSetVmSecurityGroupsBody, { id: "SetVmSecurityGroupsInput" });
REQUEST_SCHEMAS.add(ZOpenVmPortBody, { id: "OpenVmPortInput" });
REQUEST_SCHEMAS.add(ZSetNetworkSettingsInput, { id: "SetNetworkSettingsInput" });
const ZSecurityGroupRef = z.string().describe("The security group's name (among yours) or id");
API_ROUTES.push(
  {
    method: "get",
    path: "/api/v1/security-groups",
    summary: "Your security groups with their rules and VMs (your `default` one is made on first use; admins with `all=true`: everyone's), a page at a time",
    query: ZListPageQuery.extend({ all: z.enum(["true", "false"]).optional().describe("Admins: every user's groups (default false)") }),
    status: 200,
    response: ZSecurityGroupPageJson,
  },
  { method: "post", path: "/api/v1/security-groups", summary: "Create an empty security group of yours (it lets nothing in until rules are added)", body: ZCreateSecurityGroupInput, status: 201, response: ZSecurityGroupJson },
  { method: "get", path: "/api/v1/security-groups/{group}", summary: "One of your security groups (admins: any) with its rules, their ids, and its VMs", pathParams: { group: ZSecurityGroupRef }, status: 200, response: ZSecurityGroupJson },
  { method: "delete", path: "/api/v1/security-groups/{group}", summary: "Delete a security group no VM is in and no other group's rule names as its source (409 HAS_DEPENDENTS lists them)", pathParams: { group: ZSecurityGroupRef }, status: 200, response: ZDeletedSecurityGroupJson },
  {
    method: "post",
    path: "/api/v1/security-groups/{group}/rules",
    summary: "Add an ingress rule (tcp/udp with a port or range, icmp or all; from a CIDR, another of your groups or `company`); the filters of the group's VMs change live. The same rule twice is answered as it is",
    pathParams: { group: ZSecurityGroupRef },
    body: ZAddSecurityRuleBody,
    status: 200,
    response: ZAddedSecurityRuleJson,
  },
  { method: "delete", path: "/api/v1/security-groups/{group}/rules/{rule}", summary: "Remove a rule from the group; its VMs lose that access at once (no reboot)", pathParams: { group: ZSecurityGroupRef, rule: z.uuid().describe("The rule's id (GET the group)") }, status: 200, response: ZRemovedSecurityRuleJson },
  { method: "get", path: "/api/v1/vms/{id}/security-groups", summary: "The VM's security groups", pathParams: { id: ZVmId }, status: 200, response: ZVmSecurityGroupsJson },
  { method: "put", path: "/api/v1/vms/{id}/security-groups", summary: "Replace the VM's security groups (its owner's, by name or id; an empty list lets nothing in); its filter changes live", pathParams: { id: ZVmId }, body: ZSetVmSecurityGroupsBody, status: 200, response: ZVmSecurityGroupsJson },
  {
    method: "post",
    path: "/api/v1/vms/{id}/open",
    summary: "Open a port of the VM (tcp unless `protocol`, from the company network unless `source`) through a rule in the VM's own group `vm-<name>`, made and joined on first use",
    pathParams: { id: ZVmId },
    body: ZOpenVmPortBody,
    status: 200,
    response: ZOpenedPortJson,
  },
  settingsRoute("network", "Change the company's networks (`companyCidrs`: the source `company` of security-group rules; VMs' filters change live)", ZSetNetworkSettingsInput, ZNetworkSettingsJson),
);
// console (issue 18)
const ZOpenConsoleBody = ZOpenConsoleInput.omit({ vm: true });
REQUEST_SCHEMAS.add(ZOpenConsoleBody, { id: "OpenConsoleInput" });
API_ROUTES.push({
  method: "post",
  path: "/api/v1/vms/{id}/console",
  summary: "A one-time link to the console of a Running VM (yours; admins: any): the screen (kind vnc, the default) or the serial console, for your own address unless `client` names another; it works once, within 60 s",
  pathParams: { id: ZVmId },
  body: ZOpenConsoleBody,
  status: 201,
  response: ZConsoleLinkJson,
  errors: {
    "409": "INVALID_STATE: the VM is not Running (the message says what to do)",
    "503": "CONSOLE_UNAVAILABLE: the VM's host is not Up (Disconnected, in maintenance)",
  },
});
// networks (issue 17): network define (the retry an Unhealthy host's reason names)
const ZDefineNetworkBody = ZDefineNetworkInput.omit({ network: true });
REQUEST_SCHEMAS.add(ZDefineNetworkBody, { id: "DefineNetworkInput" });
API_ROUTES.push({
  method: "post",
  path: "/api/v1/admin/networks/{network}/define",
  summary: "(Re)define a network on every host that has it, or on `host` only: the retry after fixing what an Unhealthy host names (a missing bridge, dnsmasq not installed)",
  pathParams: { network: ZNetworkRef },
  body: ZDefineNetworkBody,
  optionalBody: true,
  status: 202,
  response: ZDefinedNetworkJson,
  admin: true,
});
// day-2 (issue 19): host declare-dead, settings fencing, vm recreate
import { ZDeclareHostDeadInput, ZSetFencingSettingsInput } from "@carve/core";
import { ZDeclaredDeadJson, ZFencingSettingsJson } from "./dead-host-schemas.ts";
const ZDeclareDeadBody = ZDeclareHostDeadInput.omit({ host: true });
REQUEST_SCHEMAS.add(ZDeclareDeadBody, { id: "DeclareHostDeadInput" });
REQUEST_SCHEMAS.add(ZSetFencingSettingsInput, { id: "SetFencingSettingsInput" });
API_ROUTES.push(
  {
    method: "post",
    path: "/api/v1/admin/hosts/{host}/declare-dead",
    summary: "Declare a host that is powered off for good dead (`confirm`: its name again; the fencing command runs first when set): VMs on shared disks restart on other hosts, VMs with a disk on its own storage become Lost; answers what became of each VM",
    pathParams: { host: z.string().describe("The host's name or id") },
    body: ZDeclareDeadBody,
    status: 200,
    response: ZDeclaredDeadJson,
    admin: true,
    errors: { "409": "HOST_ALIVE: the host heartbeats (or did within the grace period); the message gives its last beat", "502": "FENCING_FAILED: the fencing command failed; nothing changed, the message holds its output's tail" },
  },
  settingsRoute("fencing", "Set the fencing command run before a host is declared dead (`command`: an argv array, its program by absolute path; the host's name and address are appended; `[]`: none) and its `timeoutSec`", ZSetFencingSettingsInput, ZFencingSettingsJson),
  { method: "post", path: "/api/v1/vms/{id}/recreate", summary: "Re-create a Lost VM (its host was declared dead with its disks) from its template, with the same name and address; answers like a create", pathParams: { id: ZVmId }, status: 202, response: ZCreatedVmJson },
);
