import { CarveError, createVm, createVmOnce, getJob, getVm, listVms } from "@carve/core";
import { passwordRevealJson, toJobJson, toVmJson } from "../../../../api/to-json.ts";
import { apiRoute, jsonBody } from "../../../../server/api-route.ts";

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
    const body = await jsonBody(request);
    // A body that is not an object goes to createVm as it is, whose refusal names what is wrong.
    const created = requestKey !== null && isObject(body) ? await createVmOnce(core, actor, { ...body, requestKey }) : { duplicate: false as const, ...(await createVm(core, actor, body)) };
    const [vmId, job] = created.duplicate ? [created.vmId, created.jobId && (await getJob(core, actor, created.jobId))] : [created.vm.id, created.job];
    // Keys are scoped to their user, so a repeat always knows its VM; anything else is a bug.
    if (!vmId || !job) throw new CarveError("INTERNAL", "the first request with this Idempotency-Key left no VM");
    return { vm: toVmJson(await getVm(core, actor, { vm: vmId })), job: toJobJson(job), passwordReveal: passwordRevealJson(vmId, created.passwordReveal) };
  },
  202,
  { idempotency: true },
);
