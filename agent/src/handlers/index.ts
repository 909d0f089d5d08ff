import type { TJobName } from "@carve/protocol";
import type { TJobHandler } from "./context.ts";
import { hostInventory } from "./host-inventory.ts";
import { templateCopy } from "./template-copy.ts";
import { vmCreate } from "./vm-create.ts";
import { vmDestroy } from "./vm-destroy.ts";
import { vmReboot } from "./vm-reboot.ts";
import { vmSetPassword } from "./vm-set-password.ts";
import { vmStart } from "./vm-start.ts";
import { vmStop } from "./vm-stop.ts";
import { poolDefine } from "./pool-define.ts";
import { volumeAttach } from "./volume-attach.ts";
import { volumeCreate } from "./volume-create.ts";
import { volumeDelete } from "./volume-delete.ts";
import { volumeDetach } from "./volume-detach.ts";
import { volumeResize } from "./volume-resize.ts";
import { vmDefine } from "./vm-define.ts";
import { vmMigrate } from "./vm-migrate.ts";
import { vmUndefine } from "./vm-undefine.ts";
import { volumeMigrate } from "./volume-migrate.ts";
import { volumeMigrateReceive } from "./volume-migrate-receive.ts";
// security groups (issue 17)
import { vmFilter } from "./vm-filter.ts";
// networks (issue 17)
import { networkDefine } from "./network-define.ts";
import { networkUndefine } from "./network-undefine.ts";
import { driftRemove } from "./drift-remove.ts";
// console (issue 18)
import { consoleAttach } from "./console-attach.ts";

export { HANDLER_TIMING, handlerContext, type THandlerContext, type TJobHandler, type THandlerTiming, type TJobServices } from "./context.ts";

/** One handler per job of the protocol; the type makes a missing one a compile error. */
export const HANDLERS: { [N in TJobName]: TJobHandler<N> } = {
  "vm.create": vmCreate,
  "vm.start": vmStart,
  "vm.stop": vmStop,
  "vm.reboot": vmReboot,
  "vm.destroy": vmDestroy,
  "vm.set-password": vmSetPassword,
  "host.inventory": hostInventory,
  "template.copy": templateCopy,
  "pool.define": poolDefine,
  "volume.create": volumeCreate,
  "volume.attach": volumeAttach,
  "volume.detach": volumeDetach,
  "volume.resize": volumeResize,
  "volume.delete": volumeDelete,
  "vm.migrate": vmMigrate,
  "vm.define": vmDefine,
  "vm.undefine": vmUndefine,
  "volume.migrate": volumeMigrate,
  "volume.migrate-receive": volumeMigrateReceive,
  // security groups (issue 17)
  "vm.filter": vmFilter,
  // networks (issue 17)
  "network.define": networkDefine,
  "network.undefine": networkUndefine,
  "drift.remove": driftRemove,
  // console (issue 18)
  "console.attach": consoleAttach,
};
