import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { readStorageSettings, writeStorageSettings, type TStorageSettings } from "./storage-settings.ts";

/** The changes (a field left out stays as it is); the REST API's body as it is. */
export const ZSetStorageSettingsInput = z
  .object({
    migrationBandwidthMiBps: z.number().int("must be a whole number of MiB/s").min(0, "must be 0 (unlimited) or more").max(1_000_000, "must be at most 1000000").optional(),
  })
  .strict();

/** Changes the storage settings (the storage-migration bandwidth cap, 0 = unlimited); admins only. Applies to migrations started afterwards. */
export async function setStorageSettings(deps: CoreDeps, actor: TActor, input: unknown): Promise<TStorageSettings> {
  requireAdmin(actor, "change storage settings");
  const changes = parseInput(ZSetStorageSettingsInput, input);
  // Nothing to change (`carve settings storage` without options): show them, recording no change.
  if (Object.values(changes).every((value) => value === undefined)) return readStorageSettings(deps.db);
  return deps.db.$transaction(async (tx) => {
    await writeStorageSettings(tx, changes, actorId(actor));
    await recordEvent(tx, { type: "settings.storage", actor, message: "storage settings changed", data: changes });
    return readStorageSettings(tx);
  });
}
