import { getVm, recreateVm } from "@carve/core";
import { passwordRevealJson, toJobJson, toVmJson } from "../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Re-creates a Lost VM from its template with the same name and address; answers 202 like a create. */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, params }) => {
    const { vm, job, passwordReveal } = await recreateVm(core, actor, { vm: params.id });
    return { vm: toVmJson(await getVm(core, actor, { vm: vm.id })), job: toJobJson(job), passwordReveal: passwordRevealJson(vm.id, passwordReveal) };
  },
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
