// day-2 (issue 19): the answers of host declare-dead, settings fencing and vm recreate.
import { z } from "zod";
import { ANSWER_SCHEMAS, ZJobJson } from "./schemas.ts";

/** `POST /api/v1/admin/hosts/{host}/declare-dead`: what became of each of its VMs. */
export const ZDeclaredDeadJson = z
  .object({
    host: z.object({ id: z.uuid(), name: z.string() }),
    fenced: z.boolean().describe("Whether the fencing command ran (and succeeded)"),
    vms: z.array(
      z.object({
        name: z.string(),
        owner: z.string(),
        outcome: z.enum(["restarting", "moving", "lost", "stopped", "error", "busy"]).describe("restarting/moving: a job defines it on `host` (started when it ran); lost: a disk went with the host; stopped: no host can take it now (see reason)"),
        host: z.string().optional(),
        reason: z.string(),
        jobId: z.uuid().optional(),
      }),
    ),
    jobs: z.array(ZJobJson),
  })
  .register(ANSWER_SCHEMAS, { id: "DeclaredDead" });

export const ZFencingSettingsJson = z
  .object({
    command: z.array(z.string()).describe("The fencing command as an argv array (the host's name and address are appended); empty: none"),
    timeoutSec: z.int().describe("How long it may run before it is killed and the declaration refused"),
  })
  .register(ANSWER_SCHEMAS, { id: "FencingSettings" });

export type TDeclaredDeadJson = z.input<typeof ZDeclaredDeadJson>;
