import { CarveError, ERROR_CODES, FRONT_DOOR_HEADER, pollJob, type TErrorCode } from "@carve/core";
import type { TDriftSummary } from "../client/carve-client.ts";
import type { TCarveClient, TDiskOfferingSummary, THostSummary, TJobSummary, TOfferingSummary, TSshKeySummary, TTemplateSummary, TVmDetail, TPoolSummary, TQuotaSummary, TApiKeySummary, TRevealedPasswordView, TGroupSummary } from "../client/carve-client.ts";
import type { TSecurityGroupSummary } from "../client/carve-client.ts";
import type { TCredentials } from "./credentials.ts";
import type { TNetworkSummary } from "../client/carve-client.ts";

/** How long one API call may take before the CLI gives up on the server. */
const REQUEST_TIMEOUT_MS = 60_000;
/** How often --wait asks the server about a job. */
const POLL_MS = 1_000;

type TQuery = Record<string, string | undefined>;

/**
 * Calls the Carve server's /api/v1 with the stored API key. The server's error answers become the
 * same CarveErrors the local CLI prints; anything else (no answer, not Carve) is SERVER_UNREACHABLE.
 */
export async function callApi<T>(credentials: TCredentials, method: string, path: string, options: { query?: TQuery; body?: unknown } = {}): Promise<T> {
  const url = new URL(path, credentials.url);
  for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
  const response = await fetch(url, {
    method,
    // A redirect could hand the key to another host: a Carve server never redirects its API.
    redirect: "error",
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    // Refusals then name the CLI's commands ('carve template list'), not the API's routes.
    headers: { authorization: `Bearer ${credentials.key}`, accept: "application/json", [FRONT_DOOR_HEADER]: "cli", ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body, finiteNumbers) }),
  }).catch((error: unknown) => {
    throw new CarveError("SERVER_UNREACHABLE", `Could not reach the Carve server at ${credentials.url} (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}). Check the URL and your network, or 'carve login' again.`);
  });
  const answer: unknown = await response.json().catch(() => undefined);
  if (response.ok && answer !== undefined) return answer as T;
  throw errorOf(credentials, response.status, answer);
}

function errorOf(credentials: TCredentials, status: number, answer: unknown): CarveError {
  const body = (typeof answer === "object" && answer !== null ? answer : {}) as { code?: unknown; message?: unknown; fields?: unknown };
  if (typeof body.code === "string" && body.code in ERROR_CODES && typeof body.message === "string") {
    const fields = Array.isArray(body.fields) ? (body.fields as { field: string; message: string }[]) : [];
    // The server's words reach a terminal: no escape sequence of a hostile server gets through.
    return new CarveError(body.code as TErrorCode, printable(body.message), { fields: fields.map((f) => ({ field: printable(String(f.field)), message: printable(String(f.message)) })) });
  }
  return new CarveError("SERVER_UNREACHABLE", `${credentials.url} answered HTTP ${status} without a Carve error: is it a Carve server? Check the URL ('carve whoami'), or 'carve login' again.`);
}

/**
 * JSON has no NaN: JSON.stringify would send null, which removes a quota limit. A number the
 * command line could not read ("--vms abc") is refused here, as core refuses it locally.
 */
function finiteNumbers(field: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new CarveError("INVALID_INPUT", `Invalid input. ${field}: must be a whole number`, { fields: [{ field, message: "must be a whole number" }] });
  }
  return value;
}

const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");

const path = (...segments: string[]) => `/api/v1/${segments.map(encodeURIComponent).join("/")}`;

/** The client of a CLI logged in to a Carve server: every call goes through /api/v1 as the key's user. */
export function remoteClient(credentials: TCredentials): TCarveClient {
  const call = <T>(method: string, route: string, options?: { query?: TQuery; body?: unknown }) => callApi<T>(credentials, method, route, options);
  const getJob = (id: string) => call<TJobSummary>("GET", path("jobs", id));
  return {
    where: credentials.url,
    whoami: () => call("GET", path("me")),
    listVms: (query) => call("GET", path("vms"), { query }),
    createVm: (input) => call("POST", path("vms"), { body: input }),
    getVm: (ref) => call<TVmDetail>("GET", path("vms", ref)),
    vmAction: (ref, action, options = {}) => {
      if (action === "destroy") return call("DELETE", path("vms", ref), options.withVolumes ? { query: { withVolumes: "true" } } : {});
      if (action === "stop") return call("POST", path("vms", ref, "stop"), { body: { force: options.force, timeoutSec: options.timeoutSec } });
      return call("POST", path("vms", ref, action));
    },
    getJob,
    waitForJob: (id, options) => pollJob(() => getJob(id), id, { ...options, pollMs: POLL_MS }),
    listOfferings: async () => (await call<{ items: TOfferingSummary[] }>("GET", path("offerings"), { query: { limit: "200" } })).items,
    listHosts: async () => (await call<{ items: THostSummary[] }>("GET", path("hosts"))).items,
    listTemplates: async () => (await call<{ items: TTemplateSummary[] }>("GET", path("templates"), { query: { limit: "200" } })).items,
    listSshKeys: async () => (await call<{ items: TSshKeySummary[] }>("GET", path("ssh-keys"))).items,
    addSshKey: (input) => call("POST", path("ssh-keys"), { body: input }),
    removeSshKey: (ref) => call("DELETE", path("ssh-keys", ref)),
    searchAudit: (query) => call("GET", path("admin", "audit"), { query }),
    listDiskOfferings: async () => (await call<{ items: TDiskOfferingSummary[] }>("GET", path("disk-offerings"), { query: { limit: "200" } })).items,
    listVolumes: ({ limit, ...query }) => call("GET", path("volumes"), { query: { ...query, limit: String(limit) } }),
    createVolume: (input) => call("POST", path("volumes"), { body: input }),
    volumeAction: (ref, action, input = {}) => {
      if (action === "delete") return call("DELETE", path("volumes", ref));
      return call("POST", path("volumes", ref, action), action === "detach" ? {} : { body: action === "attach" ? { vm: input.vm } : { sizeGiB: input.sizeGiB } });
    },
    // Admin offering commands: /api/v1/admin/offerings and /api/v1/admin/disk-offerings.
    createOffering: (input) => call("POST", path("admin", "offerings"), { body: input }),
    deleteOffering: (ref, { retire }) => call("DELETE", path("admin", "offerings", ref), retire ? { query: { retire: "true" } } : {}),
    createDiskOffering: (input) => call("POST", path("admin", "disk-offerings"), { body: input }),
    deleteDiskOffering: (ref) => call("DELETE", path("admin", "disk-offerings", ref)),
    // Pools and quotas: /api/v1/admin/pools, /api/v1/quota, /api/v1/admin/quota.
    listPools: async () => (await call<{ items: TPoolSummary[] }>("GET", path("admin", "pools"))).items,
    getQuota: async (username) => (await call<{ items: TQuotaSummary[] }>("GET", path("quota"), { query: { user: username } })).items,
    setQuota: (input) => call("POST", path("admin", "quota"), { body: input }),
    // vm reset-password: the server keeps the password for whoever asked, viewed once by VM.
    resetVmPassword: (ref, user) => call("POST", path("vms", ref, "password"), { body: { user } }),
    revealVmPassword: (ref) => call<TRevealedPasswordView>("POST", path("vms", ref, "password", "reveal")),
    // auth unlock
    unlockSignIn: (target) => call("POST", path("admin", "sign-in-unlock"), { body: { target } }),
    // apikey create|list|revoke
    createApiKey: (input) => call("POST", path("api-keys"), { body: input }),
    listApiKeys: async (user) => (await call<{ items: TApiKeySummary[] }>("GET", path("api-keys"), { query: { user } })).items,
    revokeApiKey: (ref) => call("DELETE", path("api-keys", ref)),
    // user sign-out
    endUserSessions: (user) => call("POST", path("admin", "users", user, "sign-out")),
    // admin reset-password
    resetPassword: (user, password) => call("POST", path("admin", "users", user, "password"), { body: { password } }),
    // status, host add|join-token|remove|inspect, host maintenance plan|start|cancel, drift list|ignore|destroy:
    // /api/v1/admin/status, /api/v1/admin/hosts/…, /api/v1/admin/jobs/{id}/inventory, /api/v1/admin/drift/…
    getStatus: () => call("GET", path("admin", "status")),
    addHost: (input) => call("POST", path("admin", "hosts"), { body: input }),
    issueJoinToken: (host, ttlMinutes) => call("POST", path("admin", "hosts", host, "join-token"), { body: { ttlMinutes } }),
    removeHost: (host) => call("DELETE", path("admin", "hosts", host)),
    inspectHost: (host) => call("POST", path("admin", "hosts", host, "inspect")),
    getHostInventory: (jobId) => call("GET", path("admin", "jobs", jobId, "inventory")),
    planHostMaintenance: (host) => call("GET", path("admin", "hosts", host, "maintenance")),
    startHostMaintenance: (host) => call("POST", path("admin", "hosts", host, "maintenance")),
    cancelHostMaintenance: (host) => call("DELETE", path("admin", "hosts", host, "maintenance")),
    listDrift: async (all) => (await call<{ items: TDriftSummary[] }>("GET", path("admin", "drift"), { query: { all: String(all) } })).items,
    ignoreDrift: (id) => call("POST", path("admin", "drift", id, "ignore")),
    destroyDrift: (id) => call("POST", path("admin", "drift", id, "destroy")),
    // pool add|define|delete: /api/v1/admin/pools…
    addPool: (input) => call("POST", path("admin", "pools"), { body: input }),
    definePool: (ref, host) => call("POST", path("admin", "pools", ref, "define"), host ? { body: { host } } : {}),
    deletePool: (ref) => call("DELETE", path("admin", "pools", ref)),
    // template register|add|copy|delete: /api/v1/admin/templates…
    registerTemplate: (input) => call("POST", path("admin", "templates"), { body: input }),
    addTemplate: (input) => call("POST", path("admin", "pool-templates"), { body: input }),
    copyTemplate: (template, pool) => call("POST", path("admin", "templates", template, "copies"), { body: { pool } }),
    deleteTemplate: (ref) => call("DELETE", path("admin", "templates", ref)),
    // template update (issue 17)
    updateTemplate: (ref, changes) => call("POST", path("admin", "templates", ref), { body: changes }),
    // volume migrate|migrate-cancel: the owner or an admin, as core allows (/api/v1/volumes/{id}/migrate…)
    migrateVolume: (ref, pool) => call("POST", path("volumes", ref, "migrate"), { body: { pool } }),
    cancelVolumeMigration: (ref) => call("POST", path("volumes", ref, "migrate-cancel")),
    // vm migrate|migrate-cancel|plan, settings placement|templates|migration|storage|log-level
    migrateVm: (ref, host) => call("POST", path("admin", "vms", ref, "migrate"), { body: { host } }),
    cancelVmMigration: (ref) => call("POST", path("admin", "vms", ref, "migrate-cancel")),
    planVm: (input) => call("POST", path("placement", "plan"), { body: input }),
    changeSettings: (group, changes) => call("POST", path("admin", "settings", group), { body: changes }),
    // directory show|set|test|sync, group list|map: /api/v1/admin/directory, /api/v1/admin/groups
    getDirectory: () => call("GET", path("admin", "directory")),
    configureDirectory: (input) => call("POST", path("admin", "directory"), { body: input }),
    checkDirectory: () => call("POST", path("admin", "directory", "test")),
    syncDirectory: () => call("POST", path("admin", "directory", "sync")),
    listGroups: async () => (await call<{ items: TGroupSummary[] }>("GET", path("admin", "groups"))).items,
    mapGroup: (input) => call("POST", path("admin", "groups"), { body: input }),
    // user list|create|enable|disable: /api/v1/admin/users
    listUsers: ({ disabledOnly, ...query }) => call("GET", path("admin", "users"), { query: { ...query, disabled: disabledOnly ? "true" : undefined } }),
    createLocalUser: (input) => call("POST", path("admin", "users"), { body: input }),
    setUserEnabled: (user, enabled) => call("POST", path("admin", "users", user, enabled ? "enable" : "disable")),
    // usage report|aggregate: /api/v1/admin/usage
    usageReport: (input) => call("GET", path("admin", "usage"), { query: input }),
    aggregateUsage: (input) => call("POST", path("admin", "usage", "aggregate"), { body: input }),
    // networks (issue 17): /api/v1/admin/networks…
    createNetwork: (input) => call("POST", path("admin", "networks"), { body: input }),
    listNetworks: async () => (await call<{ items: TNetworkSummary[] }>("GET", path("admin", "networks"))).items,
    getNetwork: (ref) => call("GET", path("admin", "networks", ref)),
    updateNetwork: (ref, changes) => call("PATCH", path("admin", "networks", ref), { body: changes }),
    deleteNetwork: (ref) => call("DELETE", path("admin", "networks", ref)),
    // security groups (issue 17): /api/v1/security-groups…, /api/v1/vms/{id}/security-groups, /api/v1/vms/{id}/open
    listSecurityGroups: async (all) => (await call<{ items: TSecurityGroupSummary[] }>("GET", path("security-groups"), { query: { limit: "200", all: all ? "true" : undefined } })).items,
    createSecurityGroup: (input) => call("POST", path("security-groups"), { body: input }),
    getSecurityGroup: (ref) => call("GET", path("security-groups", ref)),
    deleteSecurityGroup: (ref) => call("DELETE", path("security-groups", ref)),
    addSecurityRule: (group, rule) => call("POST", path("security-groups", group, "rules"), { body: rule }),
    removeSecurityRule: (group, rule) => call("DELETE", path("security-groups", group, "rules", rule)),
    getVmSecurityGroups: (vm) => call("GET", path("vms", vm, "security-groups")),
    setVmSecurityGroups: (vm, groups) => call("PUT", path("vms", vm, "security-groups"), { body: { groups } }),
    openVmPort: (vm, input) => call("POST", path("vms", vm, "open"), { body: input }),
    // console (issue 18): POST /api/v1/vms/{id}/console
    openConsole: (ref, kind) => call("POST", path("vms", ref, "console"), { body: { kind } }),
    readSerialLog: (ref, lines) => call("GET", path("vms", ref, "serial-log"), { query: { lines: lines === undefined ? undefined : String(lines) } }),
    defineNetwork: (ref, host) => call("POST", path("admin", "networks", ref, "define"), host ? { body: { host } } : {}),
    // day-2 (issue 19)
    declareHostDead: (host, confirm) => call("POST", path("admin", "hosts", host, "declare-dead"), { body: { confirm } }),
    recreateVm: (ref) => call("POST", path("vms", ref, "recreate")),
  };
}
