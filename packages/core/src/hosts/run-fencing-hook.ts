import { spawn } from "node:child_process";
import { CarveError } from "../errors/index.ts";
import type { TFencingSettings } from "../settings/fencing-settings.ts";

/** How much of the hook's output a refusal quotes: enough for IPMI's last complaint. */
const TAIL_CHARS = 600;

/**
 * Where the hook runs, and why: in the process that handles the declaration (the CLI on the
 * management server, or the portal/API process next to the controller), before anything is
 * recorded. The admin gets the hook's own words in the answer, and a failed or hung hook changes
 * nothing: there is no job left half-done to reconcile. A controller job would let the answer come
 * back before the host is fenced, and "restart its VMs elsewhere" must never precede the fence.
 * The price: the hook program must exist (with its credentials) on every management server that
 * runs the portal or the CLI; docs/manual/2-fleet.md says so.
 *
 * The argv is stored as a plain setting: credentials (a BMC password) belong in the program's own
 * configuration file, never in the argv, and its output is only quoted back to the admin on failure.
 * The host's name and address are appended to the admin's argv, never put through a shell. Exit 0
 * within the timeout is success; anything else is FENCING_FAILED with the output's tail.
 */
export async function runFencingHook(settings: TFencingSettings, host: { name: string; address: string }): Promise<{ ran: boolean }> {
  const [program, ...args] = settings.command;
  if (!program) return { ran: false };
  const argv = [...args, host.name, host.address];
  const { code, output, timedOut, spawnError } = await run(program, argv, settings.timeoutSec * 1000);
  if (code === 0 && !timedOut) return { ran: true };
  const why = spawnError ? `could not be started (${spawnError})` : timedOut ? `did not finish within ${settings.timeoutSec} s and was killed` : `exited with ${code ?? "a signal"}`;
  const said = tail(output);
  throw new CarveError(
    "FENCING_FAILED",
    `The fencing command for host ${host.name} (${program}) ${why}${said ? `; its output ends: ${said}` : ""}. Nothing was changed: make sure the host is powered off (fix the command, or 'carve settings fencing --command' to change it), then declare it dead again.`,
    { details: { program, exitCode: code, timedOut } },
  );
}

function run(program: string, argv: string[], timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean; spawnError: string | null }> {
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    const child = spawn(program, argv, { stdio: ["ignore", "pipe", "pipe"], shell: false });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4 * TAIL_CHARS);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, output, timedOut, spawnError: err.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut, spawnError: null });
    });
  });
}

function tail(output: string): string {
  const trimmed = output.trim().replace(/\s+/g, " ");
  return trimmed.length > TAIL_CHARS ? `…${trimmed.slice(-TAIL_CHARS)}` : trimmed;
}
