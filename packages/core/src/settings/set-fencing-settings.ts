import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { readFencingSettings, writeFencingSettings, type TFencingSettings } from "./fencing-settings.ts";

/** The changes (a field left out stays as it is); `command: []` removes the hook. */
export const ZSetFencingSettingsInput = z
  .object({
    command: z
      .array(z.string().min(1, "must not be empty").max(4096))
      .max(64)
      .refine((argv) => argv.length === 0 || argv[0]?.startsWith("/"), "must start with the program's absolute path (it is run without a shell)")
      .optional(),
    timeoutSec: z.number().int("must be whole seconds").min(1, "must be at least 1 second").max(600, "must be at most 600 seconds").optional(),
  })
  .strict();

/**
 * Sets the fencing hook that `declareHostDead` runs first (admins only): an argv array to which the
 * host's name and address are appended, and how long it may run. Recorded as an event.
 */
export async function setFencingSettings(deps: CoreDeps, actor: TActor, input: unknown): Promise<TFencingSettings> {
  requireAdmin(actor, "change the fencing hook");
  const changes = parseInput(ZSetFencingSettingsInput, input);
  if (Object.values(changes).every((value) => value === undefined)) return readFencingSettings(deps.db);
  return deps.db.$transaction(async (tx) => {
    await writeFencingSettings(tx, changes, actorId(actor));
    await recordEvent(tx, { type: "settings.fencing", actor, message: "fencing settings changed", data: changes });
    return readFencingSettings(tx);
  });
}
