import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { readMigrationSettings, writeMigrationSettings, type TMigrationSettings } from "./migration-settings.ts";

/** The changes (a field left out stays as it is); the REST API's body as it is. */
export const ZSetMigrationSettingsInput = z
  .object({
    timeoutSec: z.number().int("must be whole seconds").min(10, "must be at least 10 seconds").max(3600, "must be at most 3600 seconds (an hour)").optional(),
  })
  .strict();

/** Changes how long a live migration may run before it is aborted (the VM stays on its source); admins only. */
export async function setMigrationSettings(deps: CoreDeps, actor: TActor, input: unknown): Promise<TMigrationSettings> {
  requireAdmin(actor, "change migration settings");
  const changes = parseInput(ZSetMigrationSettingsInput, input);
  // Nothing to change (`carve settings migration` without options): show them, recording no change.
  if (Object.values(changes).every((value) => value === undefined)) return readMigrationSettings(deps.db);
  return deps.db.$transaction(async (tx) => {
    await writeMigrationSettings(tx, changes, actorId(actor));
    await recordEvent(tx, { type: "settings.migration", actor, message: "migration settings changed", data: changes });
    return readMigrationSettings(tx);
  });
}
