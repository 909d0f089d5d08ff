import { createVm, getVm, listVms } from "@carve/core";
import { toJobJson, toVmJson } from "../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../server/api-route.ts";

const LIST_PARAMS = ["limit", "cursor", "state", "host", "owner", "name"] as const;

/** Your VMs, a page at a time (`limit`, `cursor`), optionally by state, host or (admins) owner. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const search = new URL(request.url).searchParams;
  const query = Object.fromEntries(LIST_PARAMS.flatMap((name) => (search.has(name) ? [[name, search.get(name)]] : [])));
  const page = await listVms(core, actor, query);
  return { items: page.items.map(toVmJson), nextCursor: page.nextCursor };
});

/**
 * Creates a VM; answers 202 with the VM as it is when the answer is written (Creating, or further
 * along when its host was quick) and the job to watch.
 */
export const POST = apiRoute(
  "Write",
  async ({ actor, core, request }) => {
    const { vm, job } = await createVm(core, actor, await jsonBody(request));
    return { vm: toVmJson(await getVm(core, actor, { vm: vm.id })), job: toJobJson(job) };
  },
  202,
);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
