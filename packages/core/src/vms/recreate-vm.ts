import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { resolveOffering } from "../offerings/resolve-offering.ts";
import { readPlacementSettings } from "../settings/placement-settings.ts";
import { resolveTemplate } from "../templates/resolve-template.ts";
import { parseInput } from "../validation/parse-input.ts";
import { ZCreateVmInput } from "./create-vm.ts";
import { destroyVmRecordsIn } from "./destroy-vm-records.ts";
import { findVmForActor } from "./find-vm.ts";
import { planCreate, recordCreate, type TCreated } from "./record-create.ts";
import { ZVmRefInput } from "./start-vm.ts";

export const ZRecreateVmInput = ZVmRefInput;

/**
 * Re-creates a Lost VM (its host was declared dead with one of its disks) from its template and
 * offering, for its owner, with the same name and address: in ONE transaction the Lost VM's records
 * are destroyed (destroyVmRecords: its disks on shared storage are kept, detached) and a new VM is
 * recorded as any create is (quota, placement with every refusal named, a fresh root disk: what was
 * on the lost disks is gone), so a refusal leaves the Lost VM as it was. Owners re-create their own;
 * admins any. Returns the Creating VM and its job, as createVm does.
 */
export async function recreateVm(deps: TIdentityDeps, actor: TActor, input: unknown): Promise<TCreated> {
  const { vm: ref } = parseInput(ZRecreateVmInput, input);
  const { id } = await findVmForActor(deps.db, actor, ref);
  const lost = await deps.db.vm.findUniqueOrThrow({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
      state: true,
      templateId: true,
      offeringId: true,
      owner: { select: { id: true, username: true, role: true } },
      nics: { select: { ip: true, network: { select: { id: true, name: true } } }, orderBy: { deviceIndex: "asc" }, take: 1 },
    },
  });
  if (lost.state !== "Lost") {
    throw new CarveError("INVALID_STATE", `VM ${lost.name} is ${lost.state}, not Lost: only a VM whose disks went with a dead host is re-created. Destroy it and create a new one instead.`);
  }
  const [template, offering, settings] = await Promise.all([resolveTemplate(deps.db, lost.templateId), resolveOffering(deps.db, lost.offeringId), readPlacementSettings(deps.db)]);
  const nic = lost.nics[0];
  const owner = { kind: "user" as const, userId: lost.owner.id, username: lost.owner.username, role: lost.owner.role, via: actor.via };
  const data = parseInput(ZCreateVmInput, { name: lost.name, template: template.id, offering: offering.id, ...(lost.description ? { description: lost.description } : {}) });
  const plan = await planCreate(deps, owner, data, { template, offering, settings, network: nic?.network ?? null });
  const created = await deps.db.$transaction(async (tx) => {
    await destroyVmRecordsIn(tx, deps, actor, lost.id);
    return recordCreate(tx, deps, { ...plan, ...(nic?.ip ? { address: nic.ip } : {}) });
  });
  await dispatchJob(deps, created.job);
  return created;
}
