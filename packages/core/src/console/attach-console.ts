import type { Duplex } from "node:stream";
import type { CoreDeps } from "../context.ts";
import { connectConsole } from "./connect-console.ts";
import type { TRedeemedConsole } from "./redeem-console-token.ts";

/**
 * Connects a redeemed console link to the VM's display on its host (the console proxy, and the
 * CLI's `--serial`): returns the byte stream (RFB for vnc; the serial log's tail, then the live
 * serial port, for serial), encrypted and authenticated end to end with a one-time key. The caller
 * pipes it and closes it when checkConsoleSession says the session ended.
 * @throws CarveError CONSOLE_UNAVAILABLE (the host serves no consoles, or its agent did not answer within 10 s), HOST_KEY_UNKNOWN
 */
export function attachConsole(deps: CoreDeps, redeemed: TRedeemedConsole): Promise<Duplex> {
  return connectConsole(deps, { hostId: redeemed.hostId, sessionId: redeemed.sessionId, domain: redeemed.domainName, kind: redeemed.kind, vmName: redeemed.vmName });
}
