// vm migrate|migrate-cancel|plan|stop and settings placement|templates|migration|storage|log-level:
// the answers (and the bodies core's schemas do not already give) of their REST routes.
import { LOG_LEVELS, ZMigrateVmInput, ZStopVmInput } from "@carve/core";
import { z } from "zod";
import { ANSWER_SCHEMAS } from "./schemas.ts";

/** POST /api/v1/vms/{id}/stop: the VM is the path's. */
export const ZStopVmBody = ZStopVmInput.omit({ vm: true });
/** POST /api/v1/admin/vms/{id}/migrate: the VM is the path's. */
export const ZMigrateVmBody = ZMigrateVmInput.omit({ vm: true });

const ZPlanRef = z.object({ id: z.uuid(), name: z.string() });

/** `POST /api/v1/placement/plan`: where a VM would go, and why each other host would not take it. */
export const ZVmPlanJson = z
  .object({
    fits: z.boolean(),
    host: ZPlanRef.nullable().describe("Where it would go now, when it fits"),
    pool: ZPlanRef.nullable().describe("Its root disk's pool, when it fits"),
    dataDisks: z.array(
      z.object({
        label: z.string().describe("e.g. `1 (10 GiB fast)`: the disk's number, size and disk offering"),
        sizeGiB: z.int(),
        pool: ZPlanRef.extend({ scope: z.enum(["Local", "Shared"]) }).nullable(),
        reason: z.string().nullable().describe("Why no host that could run the VM has a pool for it"),
      }),
    ),
    rejections: z.array(z.object({ host: z.string(), reason: z.string() })).describe("Every host that would not take it, with the reason"),
    message: z.string().describe("The sentence a real create would answer with"),
  })
  .register(ANSWER_SCHEMAS, { id: "VmPlan" });

export const ZPlacementSettingsJson = z
  .object({ policy: z.enum(["spread", "pack"]), poolThreshold: z.number().describe("Share of a pool's capacity placement fills (0.1–1)") })
  .register(ANSWER_SCHEMAS, { id: "PlacementSettings" });

export const ZTemplateSettingsJson = z
  .object({
    allowedHosts: z.array(z.string()).describe("Hosts (host or host:port) template images may be downloaded from; empty: none"),
    allowPrivateAddresses: z.boolean().describe("Whether downloads may reach loopback and private addresses"),
    maxBytes: z.int().describe("Largest image in bytes"),
  })
  .register(ANSWER_SCHEMAS, { id: "TemplateSettings" });

export const ZMigrationSettingsJson = z
  .object({ timeoutSec: z.int().describe("A live migration still running after this is aborted (the VM stays on its source)") })
  .register(ANSWER_SCHEMAS, { id: "MigrationSettings" });

export const ZStorageSettingsJson = z
  .object({ migrationBandwidthMiBps: z.int().describe("Cap on each storage migration's stream; 0: unlimited") })
  .register(ANSWER_SCHEMAS, { id: "StorageSettings" });

const ZLevel = z.enum(LOG_LEVELS).nullable().describe("null: each process's own LOG_LEVEL");
export const ZLogLevelsJson = z.object({ controller: ZLevel, agent: ZLevel }).register(ANSWER_SCHEMAS, { id: "LogLevels" });

export type TVmPlanJson = z.input<typeof ZVmPlanJson>;
