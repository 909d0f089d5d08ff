import { listJobs, type TJobView } from "@carve/core";
import type { TAdminJobJson } from "../../../../../api/admin-schemas.ts";
import { toJobJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

const toAdminJobJson = (job: TJobView): TAdminJobJson => ({ ...toJobJson(job), attempts: job.attempts, by: job.actor?.username ?? null, vmName: job.vm?.name ?? null, hostName: job.host?.name ?? null });

/** Admins only: every job, failed ones first, a page at a time (core refuses everyone else with FORBIDDEN). */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const page = await listJobs(core, actor, query);
  return { items: page.items.map(toAdminJobJson), nextCursor: page.nextCursor };
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
