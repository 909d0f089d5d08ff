import type { TJobName } from "@carve/protocol";
import type { JobHandler } from "./context.ts";
import { hostInventory } from "./host-inventory.ts";
import { templateCopy } from "./template-copy.ts";
import { vmCreate } from "./vm-create.ts";
import { vmDestroy } from "./vm-destroy.ts";
import { vmReboot } from "./vm-reboot.ts";
import { vmSetPassword } from "./vm-set-password.ts";
import { vmStart } from "./vm-start.ts";
import { vmStop } from "./vm-stop.ts";

export type { HandlerContext, JobHandler } from "./context.ts";

/** One handler per job of the protocol; the type makes a missing one a compile error. */
export const HANDLERS: { [N in TJobName]: JobHandler<N> } = {
  "vm.create": vmCreate,
  "vm.start": vmStart,
  "vm.stop": vmStop,
  "vm.reboot": vmReboot,
  "vm.destroy": vmDestroy,
  "vm.set-password": vmSetPassword,
  "host.inventory": hostInventory,
  "template.copy": templateCopy,
};
