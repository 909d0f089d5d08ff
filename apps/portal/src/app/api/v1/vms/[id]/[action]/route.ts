import { parseInput, rebootVm, startVm } from "@carve/core";
import { ZVmAction } from "../../../../../../api/schemas.ts";
import { toJobJson } from "../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

const ACTIONS = { start: startVm, reboot: rebootVm };

/** Starts or reboots the VM; answers 202 with the job. (Stop, which takes options, is ../stop.) */
export const POST = apiRoute<{ id: string; action: string }>(
  "Write",
  async ({ actor, core, params }) => {
    const action = parseInput(ZVmAction, params.action);
    return toJobJson(await ACTIONS[action](core, actor, { vm: params.id }));
  },
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
