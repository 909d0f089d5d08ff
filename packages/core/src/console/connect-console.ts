import { randomBytes, randomUUID } from "node:crypto";
import { connect, type TLSSocket } from "node:tls";
import { setTimeout as sleep } from "node:timers/promises";
import { CONSOLE_KEY_BYTES, CONSOLE_TLS, envelope, SEAL_PURPOSE_CONSOLE_KEY, type TConsoleStreamKind } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { sealForHost } from "../vms/guest-password.ts";

/** How long core waits for the agent to register the session and accept it. */
export const CONSOLE_ATTACH_WAIT_MS = 10_000;
const RETRY_MS = 150;

/** One console stream to open: which host, which domain's display, under which session id. */
export interface TConsoleTarget {
  hostId: string;
  sessionId: string;
  domain: string;
  kind: TConsoleStreamKind;
  /** For messages. */
  vmName: string;
}

/**
 * Opens a console stream to a VM's display on its host (issue 18): a fresh 256-bit key, sealed to
 * the host's key and put on its queue in a transient `console.attach` job (no Job row: nobody
 * watches it), then TLS-PSK to the agent's console listener with that key, retried until the
 * agent registered the session. The key exists in plain text only in this process's memory.
 * @throws CarveError CONSOLE_UNAVAILABLE (no console address, queue refused, agent did not answer), HOST_KEY_UNKNOWN
 */
export async function connectConsole(deps: CoreDeps, target: TConsoleTarget): Promise<TLSSocket> {
  const host = await deps.db.host.findUniqueOrThrow({ where: { id: target.hostId }, select: { name: true, sealKey: true, consoleAddress: true } });
  const address = host.consoleAddress;
  if (!address) {
    throw new CarveError(
      "CONSOLE_UNAVAILABLE",
      `Host ${host.name} serves no consoles: its agent reports no console address (CARVE_AGENT_CONSOLE_LISTEN is off or its port could not be bound, or the agent predates consoles). Ask an admin to check the agent's log on ${host.name} ('carve-agent doctor').`,
    );
  }
  const key = randomBytes(CONSOLE_KEY_BYTES);
  const sealed = sealForHost(host, key.toString("base64"), SEAL_PURPOSE_CONSOLE_KEY);
  const deadline = Date.now() + CONSOLE_ATTACH_WAIT_MS;
  const payload = { sessionId: target.sessionId, domain: target.domain, kind: target.kind, key: sealed, expiresAt: new Date(deps.now().getTime() + CONSOLE_ATTACH_WAIT_MS).toISOString() };
  try {
    await deps.queues.enqueue(target.hostId, [{ name: "console.attach", envelope: envelope("console.attach", randomUUID(), payload), transient: true }]);
  } catch (error) {
    deps.log.warn({ err: error, hostId: target.hostId }, "could not put console.attach on the host's queue");
    throw new CarveError("CONSOLE_UNAVAILABLE", `Carve could not ask host ${host.name} for VM ${target.vmName}'s console (its job queue did not take the request). Try again in a moment.`);
  }
  const at = address.lastIndexOf(":");
  const endpoint = { host: address.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(address.slice(at + 1)) };
  let last = "";
  // The agent refuses the handshake until its worker has registered the session: retry until then.
  while (Date.now() < deadline) {
    try {
      return await handshake(endpoint, target.sessionId, key, deadline);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      await sleep(RETRY_MS);
    }
  }
  deps.log.warn({ hostId: target.hostId, address, reason: last }, "the agent did not accept a console stream");
  throw new CarveError(
    "CONSOLE_UNAVAILABLE",
    `Host ${host.name}'s agent did not open VM ${target.vmName}'s console within ${CONSOLE_ATTACH_WAIT_MS / 1000} s at ${address} (${last || "no answer"}). Try again; if it keeps failing, ask an admin to check the agent on ${host.name} and that this server reaches ${address}.`,
  );
}

function handshake(endpoint: { host: string; port: number }, identity: string, psk: Buffer, deadline: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      ...endpoint,
      ...CONSOLE_TLS,
      // The PSK authenticates the agent; there is no certificate to check.
      checkServerIdentity: () => undefined,
      pskCallback: () => ({ identity, psk }),
      timeout: Math.max(1, deadline - Date.now()),
    });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once("error", fail);
    socket.once("timeout", () => fail(new Error("timed out")));
    socket.once("secureConnect", () => {
      socket.off("error", fail);
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}
