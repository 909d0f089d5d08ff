import type { TActor } from "@carve/core";
import { until, type Stack } from "../stack/stack.ts";
import { addTestHosts } from "../stack/test-hosts.ts";

/**
 * One test:/// host whose agent puts each VM's display and serial port at `sockets`/<domain>.vnc
 * and .serial (CARVE_CONSOLE_SOCKET_DIR: libvirt's test driver runs no QEMU, so the test listens
 * there as the display), resolved once the host has reported its console listener's address.
 */
export async function addConsoleHost(stack: Stack, admin: TActor, sockets: string) {
  const [host] = await addTestHosts(stack, admin, { count: 1, agentEnv: { CARVE_CONSOLE_SOCKET_DIR: sockets } });
  if (!host) throw new Error("one host expected");
  await until(async () => (await stack.core.db.host.findUniqueOrThrow({ where: { id: host.id } })).consoleAddress !== null, 20_000, "the host's console address");
  return host;
}
