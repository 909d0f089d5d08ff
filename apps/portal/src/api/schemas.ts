import { ERROR_CODES, ZAttachVolumeInput, ZListVmsInput, ZMigrateVolumeInput, ZResizeVolumeInput, type TErrorCode } from "@carve/core";
import { z } from "zod";

/**
 * The JSON shapes the REST API answers with. The OpenAPI document is generated from these and
 * from core's input schemas, and each route builds its answer through the `to…Json` functions
 * typed by them, so the document and the answers cannot drift apart.
 */
/** Schemas the OpenAPI document names under components.schemas (answers). */
export const ANSWER_SCHEMAS = z.registry<{ id: string }>();

const ZId = z.uuid();
const ZTimestamp = z.iso.datetime();
const ZRef = z.object({ id: ZId, name: z.string() });

export const ZErrorJson = z
  .object({
    code: z.enum(Object.keys(ERROR_CODES) as [TErrorCode, ...TErrorCode[]]),
    message: z.string().describe("What failed, why, and what to do next"),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe("For INVALID_INPUT: each field at fault and its fix"),
  })
  .register(ANSWER_SCHEMAS, { id: "Error" });

export const ZVmState = ZListVmsInput.shape.state.unwrap();

export const ZVmJson = z
  .object({
    id: ZId,
    name: z.string(),
    description: z.string().nullable(),
    state: ZVmState,
    stateReason: z.string().nullable(),
    vcpus: z.int(),
    memoryMiB: z.int(),
    ipAddress: z.string().nullable(),
    activeJobId: ZId.nullable(),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
    owner: z.object({ id: ZId, username: z.string() }),
    host: ZRef.nullable(),
    template: ZRef.nullable(),
    offering: ZRef.nullable(),
    volumes: z.array(z.object({ id: ZId, name: z.string(), kind: z.string(), sizeGiB: z.int(), state: z.string(), pool: ZRef })),
    actions: z.array(z.enum(["start", "stop", "reboot", "destroy", "recreate"])).describe("What can be done to the VM now (none while a job runs); recreate: a Lost VM, POST /api/v1/vms/{id}/recreate"),
    // addresses and the connect line (issue 17)
    addresses: z
      .array(
        z.object({
          network: z.string().describe("The network's name"),
          mac: z.string().describe("The NIC's MAC address"),
          ip: z.string().nullable().describe("Its IPv4 address; null while none is known"),
          hostname: z.string().nullable().describe("<vm>.<domain> when the network has a DNS domain"),
        }),
      )
      .describe("The VM's NICs in device order; `ipAddress` is the first one's address"),
    connect: z
      .object({
        user: z.string().describe("The template's login user"),
        host: z.string().describe("The DNS name when the network has a DNS domain, else the IP address"),
        command: z.string().describe("e.g. ssh root@web-1.dev.example.com"),
      })
      .nullable()
      .describe("The way in; null while the VM has no address"),
  })
  .register(ANSWER_SCHEMAS, { id: "Vm" });

export const ZJobJson = z
  .object({
    id: ZId,
    kind: z.string().describe("e.g. vm.create"),
    state: z.enum(["Queued", "Running", "Succeeded", "Failed", "Cancelled"]),
    progress: z.int().min(0).max(100),
    step: z.string().nullable(),
    vmId: ZId.nullable(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    createdAt: ZTimestamp,
    finishedAt: ZTimestamp.nullable(),
    durationMs: z.int().nullable().describe("How long the agent's work itself took, when its result says (a migration); null otherwise"),
  })
  .register(ANSWER_SCHEMAS, { id: "Job" });

export const ZVmPageJson = z
  .object({ items: z.array(ZVmJson), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") })
  .register(ANSWER_SCHEMAS, { id: "VmPage" });

export const ZPasswordRevealJson = z
  .object({ url: z.string().describe("POST here once the job has succeeded to view the password, once"), expiresAt: ZTimestamp.describe("Not shown after this (10 minutes)") })
  .register(ANSWER_SCHEMAS, { id: "PasswordReveal" });

export const ZCreatedVmJson = z
  .object({ vm: ZVmJson, job: ZJobJson, passwordReveal: ZPasswordRevealJson.nullable().describe("With firstPassword: where to view the generated password once") })
  .register(ANSWER_SCHEMAS, { id: "CreatedVm" });

export const ZPasswordResetJson = z
  .object({ job: ZJobJson, user: z.string().describe("The guest account"), passwordReveal: ZPasswordRevealJson })
  .register(ANSWER_SCHEMAS, { id: "PasswordReset" });

export const ZRevealedPasswordJson = z
  .object({ vmId: ZId, vmName: z.string(), user: z.string().describe("The guest account"), password: z.string() })
  .register(ANSWER_SCHEMAS, { id: "RevealedPassword" });

export const ZTemplateJson = z
  .object({
    id: ZId,
    name: z.string(),
    description: z.string().nullable(),
    state: z.string(),
    format: z.string().nullable().describe("qcow2, raw or iso; null until a download has been examined (or when it was refused)"),
    minDiskGiB: z.int(),
    supportsCloudInit: z.boolean(),
    supportsPasswordReset: z.boolean(),
    loginUser: z.string().describe("The guest account VMs made from it are reached as (the connect line)"),
  })
  .register(ANSWER_SCHEMAS, { id: "Template" });

export const ZOfferingJson = z
  .object({
    id: ZId,
    name: z.string(),
    description: z.string().nullable(),
    vcpus: z.int(),
    memoryMiB: z.int(),
    rootDiskGiB: z.int(),
    // networks (issue 17)
    network: ZRef.nullable().describe("The network its VMs' NIC goes on; null: the default network"),
  })
  .register(ANSWER_SCHEMAS, { id: "Offering" });

export const ZDiskOfferingJson = z
  .object({
    id: ZId,
    name: z.string(),
    description: z.string().nullable(),
    sizeGiB: z.int().nullable().describe("null: you choose the size, between minSizeGiB and maxSizeGiB"),
    minSizeGiB: z.int().nullable(),
    maxSizeGiB: z.int().nullable(),
    scope: z.enum(["Local", "Shared"]).describe("The kind of pool its volumes live on"),
    storageTags: z.array(z.string()),
  })
  .register(ANSWER_SCHEMAS, { id: "DiskOffering" });
export const ZDiskOfferingListJson = z.object({ items: z.array(ZDiskOfferingJson), nextCursor: z.string().nullable() }).register(ANSWER_SCHEMAS, { id: "DiskOfferingList" });

export const ZHostJson = z
  .object({
    id: ZId,
    name: z.string(),
    state: z.enum(["Up", "Disconnected", "PrepareForMaintenance", "Maintenance", "Removed", "Dead"]),
    cpus: z.int(),
    vcpusAllocated: z.int(),
    vcpusCapacity: z.int().describe("cpus × CPU overcommit"),
    memoryMiB: z.int(),
    memMiBAllocated: z.int(),
    memMiBCapacity: z.int().describe("memory × memory overcommit"),
    lastHeartbeatAt: ZTimestamp.nullable(),
  })
  .register(ANSWER_SCHEMAS, { id: "Host" });

export const ZTemplateListJson = z.object({ items: z.array(ZTemplateJson), nextCursor: z.string().nullable() }).register(ANSWER_SCHEMAS, { id: "TemplateList" });
export const ZOfferingListJson = z.object({ items: z.array(ZOfferingJson), nextCursor: z.string().nullable() }).register(ANSWER_SCHEMAS, { id: "OfferingList" });
export const ZHostListJson = z.object({ items: z.array(ZHostJson) }).register(ANSWER_SCHEMAS, { id: "HostList" });
export const ZOpenApiJson = z.object({ openapi: z.string() }).loose().register(ANSWER_SCHEMAS, { id: "OpenApiDocument" });

export const ZVmEventJson = z
  .object({
    id: z.string().describe("Sequence number; later events have larger ones"),
    at: ZTimestamp,
    type: z.string().describe("e.g. vm.state"),
    message: z.string(),
    fromState: z.string().nullable(),
    toState: z.string().nullable(),
    jobId: ZId.nullable(),
    actor: z.string().nullable().describe("Who caused it (username); null for the system"),
  })
  .register(ANSWER_SCHEMAS, { id: "VmEvent" });

export const ZVmEventPageJson = z
  .object({ items: z.array(ZVmEventJson), nextCursor: z.string().nullable().describe("Pass as `cursor` for older events; null on the last page") })
  .register(ANSWER_SCHEMAS, { id: "VmEventPage" });

const ZUsageAmounts = {
  runningHours: z.number().describe("VM-hours with the guest running"),
  allocatedHours: z.number().describe("VM-hours holding a host's capacity while not running"),
  volumeGiBHours: z.number().describe("Volume GiB-hours"),
};

export const ZUsageJson = z
  .object({
    granularity: z.enum(["hour", "day"]),
    from: ZTimestamp,
    to: ZTimestamp,
    periods: z.array(z.object({ periodStart: ZTimestamp, ...ZUsageAmounts })).describe("Every period of the range, oldest first"),
    totals: z.object(ZUsageAmounts),
  })
  .register(ANSWER_SCHEMAS, { id: "Usage" });

export const ZMeJson = z
  .object({
    id: ZId,
    username: z.string(),
    role: z.enum(["Admin", "User"]),
    scope: z.enum(["Read", "Write"]).nullable().describe("The API key's scope; null for a session"),
  })
  .register(ANSWER_SCHEMAS, { id: "Me" });

export const ZSshKeyJson = z
  .object({ id: ZId, name: z.string(), publicKey: z.string().describe("The OpenSSH public key line"), fingerprint: z.string().describe("SHA256:…"), createdAt: ZTimestamp })
  .register(ANSWER_SCHEMAS, { id: "SshKey" });
export const ZSshKeyListJson = z.object({ items: z.array(ZSshKeyJson) }).register(ANSWER_SCHEMAS, { id: "SshKeyList" });

export const ZVolumeJson = z
  .object({
    id: ZId,
    name: z.string(),
    kind: z.enum(["Root", "Data"]),
    state: z.string(),
    stateReason: z.string().nullable(),
    sizeGiB: z.int(),
    deviceIndex: z.int().nullable().describe("Its disk on the VM (1 = vdb); null when detached"),
    createdAt: ZTimestamp,
    owner: z.object({ username: z.string() }),
    vm: ZRef.nullable(),
    pool: z.object({ id: ZId, name: z.string(), scope: z.enum(["Local", "Shared"]), host: z.object({ name: z.string() }).nullable() }),
    diskOffering: z.object({ name: z.string() }).nullable(),
  })
  .register(ANSWER_SCHEMAS, { id: "Volume" });
export const ZVolumePageJson = z
  .object({ items: z.array(ZVolumeJson), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") })
  .register(ANSWER_SCHEMAS, { id: "VolumePage" });
export const ZCreatedVolumeJson = z.object({ volume: ZRef, job: ZJobJson }).register(ANSWER_SCHEMAS, { id: "CreatedVolume" });
// volume migrate: `POST /api/v1/volumes/{id}/migrate`'s body (the volume from the path) and answer
export const ZMigrateVolumeBody = ZMigrateVolumeInput.omit({ volume: true });
export const ZMigratingVolumeJson = z.object({ volume: ZRef, job: ZJobJson.describe("The migration's job (on the source host): bytes copied, then verified") }).register(ANSWER_SCHEMAS, { id: "MigratingVolume" });

/** Bodies of POST /api/v1/volumes/{id}/attach and …/resize: core's input, the volume coming from the path. */
export const ZAttachVolumeBody = ZAttachVolumeInput.omit({ volume: true });
export const ZResizeVolumeBody = ZResizeVolumeInput.omit({ volume: true });

/** The actions without a body; stop (which takes one) has a route of its own, /api/v1/vms/{id}/stop. */
export const ZVmAction = z.enum(["start", "reboot"], { error: "must be start, stop or reboot" });

export type TTemplateJson = z.input<typeof ZTemplateJson>;
export type TOfferingJson = z.input<typeof ZOfferingJson>;
export type TVmJson = z.input<typeof ZVmJson>;
export type TJobJson = z.input<typeof ZJobJson>;
export type THostJson = z.input<typeof ZHostJson>;
export type TVmEventJson = z.input<typeof ZVmEventJson>;
export type TVmEventPageJson = z.input<typeof ZVmEventPageJson>;
export type TUsageJson = z.input<typeof ZUsageJson>;
export type TPasswordRevealJson = z.input<typeof ZPasswordRevealJson>;
export type TMeJson = z.input<typeof ZMeJson>;
export type TSshKeyJson = z.input<typeof ZSshKeyJson>;
export type TVolumeJson = z.input<typeof ZVolumeJson>;
export type TDiskOfferingJson = z.input<typeof ZDiskOfferingJson>;

// apikey create|list|revoke
/** An API key as lists show it: never its hash; its secret only in the answer that created it. */
export const ZApiKeyJson = z
  .object({
    id: ZId,
    name: z.string(),
    prefix: z.string().describe("Its first characters: name it by this to revoke it"),
    scope: z.enum(["Read", "Write"]),
    createdAt: ZTimestamp,
    lastUsedAt: ZTimestamp.nullable(),
    expiresAt: ZTimestamp.nullable(),
    revokedAt: ZTimestamp.nullable(),
    user: z.object({ username: z.string() }),
  })
  .register(ANSWER_SCHEMAS, { id: "ApiKey" });
export const ZApiKeyListJson = z.object({ items: z.array(ZApiKeyJson) }).register(ANSWER_SCHEMAS, { id: "ApiKeyList" });
export const ZCreatedApiKeyJson = ZApiKeyJson.extend({ key: z.string().describe("The key itself: shown in this answer once, never again") }).register(ANSWER_SCHEMAS, { id: "CreatedApiKey" });
export type TApiKeyJson = z.input<typeof ZApiKeyJson>;

// console (issue 18)
export const ZConsoleLinkJson = z
  .object({
    vmId: ZId,
    vmName: z.string(),
    kind: z.enum(["vnc", "serial"]),
    url: z.string().describe("The portal page that opens the console: <portal>/vms/{id}/console?kind=vnc#token=TOKEN. It works once, from the address it was made for, within 60 s; the token is in the fragment, which browsers never send to a server."),
    expiresAt: ZTimestamp,
  })
  .register(ANSWER_SCHEMAS, { id: "ConsoleLink" });
export type TConsoleLinkJson = z.input<typeof ZConsoleLinkJson>;

// console (issue 18)
/** The last lines of a VM's serial console log. */
export const ZSerialLogJson = z.object({ vmName: z.string(), text: z.string(), truncated: z.boolean() }).register(ANSWER_SCHEMAS, { id: "SerialLog" });
export type TSerialLogJson = z.infer<typeof ZSerialLogJson>;
