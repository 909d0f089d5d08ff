import { CarveError, createVm, createVmOnce, getJob, getVm, listVms, type TUserActor } from "@carve/core";
import { passwordRevealJson, toJobJson, toVmJson } from "../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../server/api-route.ts";
import type { TPortalCore } from "../../../../server/core.ts";

const LIST_PARAMS = ["limit", "cursor", "state", "host", "owner", "name"] as const;

/** Your VMs, a page at a time (`limit`, `cursor`), optionally by state, host or (admins) owner. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const search = new URL(request.url).searchParams;
  const query = Object.fromEntries(LIST_PARAMS.flatMap((name) => (search.has(name) ? [[name, search.get(name)]] : [])));
  const page = await listVms(core, actor, query);
  return { items: page.items.map(toVmJson), nextCursor: page.nextCursor };
});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Creates a VM; answers 202 with the VM as it is when the answer is written (Creating, or further
 * along when its host was quick), the job to watch and where to view a first password once. With an
 * `Idempotency-Key`, a retry answers the first request's VM and job instead of creating again.
 */
export const POST = apiRoute(
  "Write",
  async ({ actor, core, request, requestKey }) => {
    const { vmId, job, passwordReveal } = await createdOrFirst(core, actor, await jsonBody(request), requestKey);
    return { vm: toVmJson(await getVm(core, actor, { vm: vmId })), job: toJobJson(job), passwordReveal: passwordRevealJson(vmId, passwordReveal) };
  },
  202,
  { idempotency: true },
);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");

/** What this request created or, for a retry with its Idempotency-Key, what the first request with the key created. */
async function createdOrFirst(core: TPortalCore, actor: TUserActor, body: unknown, requestKey: string | null) {
  // A body that is not an object goes to createVm as it is, whose refusal names what is wrong.
  if (requestKey === null || !isObject(body)) {
    const { vm, job, passwordReveal } = await createVm(core, actor, body);
    return { vmId: vm.id, job, passwordReveal };
  }
  const created = await createVmOnce(core, actor, { ...body, requestKey });
  if (!created.duplicate) return { vmId: created.vm.id, job: created.job, passwordReveal: created.passwordReveal };
  // Keys are scoped to their user, so a repeat always finds its VM and job; anything else is a bug.
  if (!created.vmId || !created.jobId) throw new CarveError("INTERNAL", "the first request with this Idempotency-Key left no VM");
  return { vmId: created.vmId, job: await getJob(core, actor, created.jobId), passwordReveal: created.passwordReveal };
}
