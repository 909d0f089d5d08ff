import type { Duplex } from "node:stream";
import { attachConsole, CarveError, checkConsoleSession, openConsole, redeemConsoleToken, watchConsoleSession, type CoreDeps, type TActor } from "@carve/core";
import { cliIo } from "../cli-io.ts";
import type { TOutput } from "../output.ts";
import type { TSession } from "../session.ts";

/** Ctrl-] detaches, as in virsh console and telnet. */
const ESCAPE = 0x1d;
/** How often the session is re-checked while attached (as the console proxy does). */
const POLL_MS = 3_000;

/** What ended an attached console: the user (Ctrl-]) or the other side, with the reason to print. */
type TEnd = { by: "user" } | { by: "console"; reason: string } | { by: "failure"; reason: string };

/**
 * `carve vm console NAME --serial` on the management server: a console link for the operator,
 * redeemed at once by the same CLI, and this terminal attached to the VM's serial port until
 * Ctrl-] or the end of the session. A TTY is put in raw mode (every key, Ctrl-C included, goes to
 * the guest); a pipe is accepted as it is, so a script can type into a console or follow it
 * (`</dev/null` to only watch): its end does not detach, only Ctrl-] or the session's end does.
 */
export async function attachSerialConsole({ core, actor }: TSession, ref: string, out: TOutput): Promise<void> {
  const link = await openConsole(core, actor, { vm: ref, kind: "serial" });
  const redeemed = await redeemConsoleToken(core, { token: link.token, client: { address: cliAddress(actor), userId: actor.kind === "user" ? actor.userId : "" } });
  const stream = await attachConsole(core, redeemed);
  out.progress(`Connected to the serial console of ${link.vmName}. Escape character is ^]`);
  const end = await relay(stream, core, redeemed.sessionId);
  if (end.by === "failure") {
    throw new CarveError("CONSOLE_UNAVAILABLE", `The serial console of ${link.vmName} lost its connection to the VM's host (${end.reason}). Run the command again; if it keeps failing, run 'carve-agent doctor' on the host.`);
  }
  out.progress(end.by === "user" ? `\r\nDetached from the serial console of ${link.vmName}.` : `\r\nThe serial console of ${link.vmName} ended: ${end.reason}.`);
}

/** Who opened the console, for its `console.connected` event: the OS account and machine running the CLI. */
function cliAddress(actor: TActor): string {
  const origin = actor.origin;
  return `carve CLI, ${origin?.osUser ?? "?"}@${origin?.osHost ?? "?"}`.slice(0, 100);
}

/** Pipes this terminal to the stream until Ctrl-], the stream's end or the session's end (watched in core). */
function relay(stream: Duplex, core: CoreDeps, sessionId: string): Promise<TEnd> {
  const { stdin, stdout } = cliIo();
  const raw = stdin.isTTY;
  return new Promise((resolve) => {
    let done = false;
    const finish = (end: TEnd) => {
      if (done) return;
      done = true;
      stopWatching();
      stdin.off("data", onInput);
      if (raw) stdin.setRawMode?.(false);
      // A paused pipe would still hold the process open: this command is done with its input.
      stdin.destroy();
      stream.destroy();
      resolve(end);
    };
    const onInput = (chunk: Buffer) => {
      const at = chunk.indexOf(ESCAPE);
      if (at === -1) {
        stream.write(chunk);
        return;
      }
      if (at > 0) stream.write(chunk.subarray(0, at));
      finish({ by: "user" });
    };
    // The stream ends by itself when QEMU's serial port goes (the VM stopped, rebooted or moved);
    // the session's reason, once core has recorded it, says which.
    const onEnd = () => {
      const fallback = "the VM's serial port closed (it stopped, rebooted or moved to another host)";
      void checkConsoleSession(core, sessionId).then(
        (state) => finish({ by: "console", reason: state.open ? fallback : state.reason }),
        () => finish({ by: "console", reason: fallback }),
      );
    };
    const stopWatching = watchConsoleSession(core, sessionId, POLL_MS, (reason) => finish({ by: "console", reason }), () => undefined);
    stream.on("data", (chunk: Buffer) => stdout.write(chunk));
    stream.once("end", onEnd);
    stream.once("error", (error) => finish({ by: "failure", reason: error.message }));
    if (raw) stdin.setRawMode?.(true);
    stdin.on("data", onInput);
    stdin.resume();
  });
}
