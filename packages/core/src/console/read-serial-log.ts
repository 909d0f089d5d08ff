import { randomUUID } from "node:crypto";
import { CONSOLE_LOG_TAIL_BYTES, domainName } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";
import { loadConsoleVm } from "./console-access.ts";
import { connectConsole } from "./connect-console.ts";

export const ZReadSerialLogInput = z.strictObject({
  vm: z.string({ error: "is required: a VM name or id" }).min(1, "is required: a VM name or id").max(100),
  lines: z.coerce.number({ error: "must be a whole number from 1 to 1000" }).int("must be a whole number from 1 to 1000").min(1, "must be a whole number from 1 to 1000").max(1000, "must be a whole number from 1 to 1000").default(100),
});

/** The last lines of a VM's serial console log. */
export interface TSerialLog {
  vmName: string;
  /** Lines joined by \n, terminal control sequences removed (it is the guest's output). */
  text: string;
  /** Earlier output exists that is not shown (more lines than asked, or beyond the last 16 KiB the host sends). */
  truncated: boolean;
}

// Terminal escape sequences (CSI, OSC, two-character ESC ones) and other controls but tab and newline:
// the guest writes them, and they must not steer the terminal or page that shows the log.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])|[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * The last `lines` (default 100, at most 1000) lines of a VM's serial console log, read by its
 * host's agent (from the last 16 KiB of the log file libvirt writes) through the console's
 * encrypted path. The VM's owner or an admin; the VM needs a host that is Up (it may be stopped:
 * the log of its last boot stays). No console link: the stream only reads.
 * @throws CarveError VM_NOT_FOUND, CONSOLE_UNAVAILABLE, HOST_KEY_UNKNOWN, INVALID_INPUT
 */
export async function readSerialLog(deps: CoreDeps, actor: TActor, input: unknown): Promise<TSerialLog> {
  const data = parseInput(ZReadSerialLogInput, input);
  const { id } = await findVmForActor(deps.db, actor, data.vm);
  const vm = await loadConsoleVm(deps.db, id);
  if (!vm.host) throw new CarveError("CONSOLE_UNAVAILABLE", `VM ${vm.name} is on no host, so there is no serial log to read. Start it to make one.`);
  if (vm.host.state !== "Up") {
    throw new CarveError("CONSOLE_UNAVAILABLE", `VM ${vm.name}'s host ${vm.host.name} is ${vm.host.state}: Carve cannot read its serial log there now. Try again when the host is Up, or ask an admin.`);
  }
  const stream = await connectConsole(deps, { hostId: vm.host.id, sessionId: randomUUID(), domain: domainName(vm.id), kind: "log", vmName: vm.name });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  stream.destroy();
  const bytes = Buffer.concat(chunks);
  const all = bytes.toString("utf8").replace(/\r\n?/g, "\n").replace(ESCAPES, "").split("\n");
  // The log ends with a newline; a full 16 KiB tail starts inside a line, which is dropped.
  if (all.at(-1) === "") all.pop();
  const cut = bytes.length >= CONSOLE_LOG_TAIL_BYTES;
  if (cut) all.shift();
  const shown = all.slice(-data.lines);
  return { vmName: vm.name, text: shown.join("\n"), truncated: cut || shown.length < all.length };
}
