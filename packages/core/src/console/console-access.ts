import type { HostState, Tx, VmState } from "@carve/db";
import { CarveError } from "../errors/index.ts";

/** How long a console link may wait for its first use. */
export const CONSOLE_TOKEN_TTL_MS = 60_000;

/** Where the console proxy (apps/console) listens unless told, beside the portal's 3000: the portal derives its default console URL from it. */
export const DEFAULT_CONSOLE_PROXY_PORT = 3001;

/** The consoles a VM has: its graphical display (VNC) and its first serial port. */
export const CONSOLE_KINDS = { vnc: "Vnc", serial: "Serial" } as const;

/** What a console needs to know about its VM: where it runs, and whether it does. */
export interface TConsoleVm {
  id: string;
  name: string;
  ownerId: string;
  state: VmState;
  host: { id: string; name: string; state: HostState } | null;
}

/** The VM of a console (VMs are never deleted, only marked Destroyed: it exists). */
export async function loadConsoleVm(tx: Tx, vmId: string): Promise<TConsoleVm> {
  return tx.vm.findUniqueOrThrow({
    where: { id: vmId },
    select: { id: true, name: true, ownerId: true, state: true, host: { select: { id: true, name: true, state: true } } },
  });
}

const STATE_HINT: Partial<Record<VmState, string>> = {
  Stopped: "start it to use its console",
  Starting: "wait until it is Running, then open its console",
  Rebooting: "wait until it is Running again, then open its console",
  Migrating: "it is moving to another host: open its console again once it is Running there",
  Stopping: "it is shutting down; start it again to use its console",
  Unknown: "its host stopped answering, so Carve cannot reach its display; try again once the host reports back",
  // day-2 (issue 19)
  Lost: "its host was declared dead with its disks: re-create it ('vm recreate') or destroy it",
};

/**
 * The console is reachable only while the VM runs on a host that is Up: a stopped VM has no
 * display, and a silent host cannot be asked for it. Each refusal says what to do instead.
 * @throws CarveError INVALID_STATE (the VM is not Running), CONSOLE_UNAVAILABLE (its host is not Up)
 */
export function assertConsoleReachable(vm: TConsoleVm): { id: string; name: string } {
  if (vm.state !== "Running") {
    const hint = STATE_HINT[vm.state] ?? "a console needs a Running VM";
    throw new CarveError("INVALID_STATE", `VM ${vm.name} is ${vm.state}: ${hint}.`);
  }
  if (!vm.host) throw new CarveError("CONSOLE_UNAVAILABLE", `VM ${vm.name} is on no host, so it has no console. Ask an admin to check it.`);
  if (vm.host.state !== "Up") {
    throw new CarveError(
      "CONSOLE_UNAVAILABLE",
      `VM ${vm.name}'s host ${vm.host.name} is ${vm.host.state}: Carve cannot reach its console there now. Try again when the host is Up, or ask an admin.`,
    );
  }
  return vm.host;
}
