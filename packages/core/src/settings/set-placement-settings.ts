import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { z } from "zod";
import { forgetPlacementSettings, readPlacementSettings, writePlacementSettings, type TPlacementSettings } from "./placement-settings.ts";

/** The changes (a field left out stays as it is); the REST API's body as it is. */
export const ZSetPlacementSettingsInput = z
  .object({
    policy: z.enum(["spread", "pack"], { error: "must be spread or pack" }).optional(),
    poolThreshold: z.number().min(0.1, "must be at least 0.1").max(1, "must be at most 1").optional(),
  })
  .strict();

/** Changes the placement policy (spread or pack) or the pool threshold; admins only. */
export async function setPlacementSettings(deps: CoreDeps, actor: TActor, input: unknown): Promise<TPlacementSettings> {
  requireAdmin(actor, "change placement settings");
  const changes = parseInput(ZSetPlacementSettingsInput, input);
  // Nothing to change (`carve settings placement` without options): show them, recording no change.
  if (Object.values(changes).every((value) => value === undefined)) return readPlacementSettings(deps.db);
  const settings = await deps.db.$transaction(async (tx) => {
    await writePlacementSettings(tx, changes, actorId(actor));
    await recordEvent(tx, { type: "settings.placement", actor, message: "placement settings changed", data: changes });
    return readPlacementSettings(tx);
  });
  forgetPlacementSettings(deps.db); // this process applies the change at once
  return settings;
}
