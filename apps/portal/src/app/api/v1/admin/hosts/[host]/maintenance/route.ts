import { cancelHostMaintenance, planHostMaintenance, prepareHostMaintenance } from "@carve/core";
import type { TMaintenanceCancelJson, TMaintenancePlanJson, TMaintenanceStartJson } from "../../../../../../../api/host-schemas.ts";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: the dry run, each VM with how it would leave the host, where to, or what blocks it (reserves nothing). */
export const GET = apiRoute<{ host: string }>("Read", async ({ actor, core, params }): Promise<TMaintenancePlanJson> => planHostMaintenance(core, actor, { host: params.host }));

/** Admins only: starts the maintenance (PrepareForMaintenance, then Maintenance once the VMs have left); answers 202 with the job and its plan. */
export const POST = apiRoute<{ host: string }>(
  "Write",
  async ({ actor, core, params }): Promise<TMaintenanceStartJson> => {
    const { job, plan } = await prepareHostMaintenance(core, actor, { host: params.host });
    return { job: toJobJson(job), plan };
  },
  202,
);

/** Admins only: returns the host to service (Up); moves not yet done are stopped. */
export const DELETE = apiRoute<{ host: string }>("Write", async ({ actor, core, params }): Promise<TMaintenanceCancelJson> => cancelHostMaintenance(core, actor, { host: params.host }));

export const { PUT, PATCH } = otherMethods("GET", "POST", "DELETE");
