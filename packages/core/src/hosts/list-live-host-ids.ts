import type { CoreDeps } from "../context.ts";

/**
 * The ids of every host that has not been removed: the hosts whose queues the controller listens
 * to and hands runtime settings to. Internal to the control plane, so it takes no actor.
 */
export async function listLiveHostIds(deps: CoreDeps): Promise<string[]> {
  const hosts = await deps.db.host.findMany({ where: { state: { not: "Removed" } }, select: { id: true } });
  return hosts.map((h) => h.id);
}
