import type { DriftKind, DriftState } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";

export const ZListDriftInput = z.object({
  /** Also ignored and resolved items (default: only what needs an admin). */
  all: z.boolean().default(false),
}).default({ all: false });

export interface TDriftView {
  id: string;
  host: { id: string; name: string };
  /** Domain, or (issue 17) DhcpHost, DnsHost or Filter, or (issue 19) Volume: a file in a pool. */
  kind: DriftKind;
  /** The domain's name, or the filter's, or <network>/<mac>/<ip> (DhcpHost) and <network>/<ip> (DnsHost), or <pool>/<file> (Volume). */
  domainName: string;
  /** DhcpHost, DnsHost: the libvirt network, the entry's MAC and address. */
  network: string | null;
  mac: string | null;
  ip: string | null;
  /** Volume: the libvirt pool holding the file. */
  pool: string | null;
  domainUuid: string | null;
  reportedState: string;
  vmId: string | null;
  note: string;
  state: DriftState;
  jobId: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
}

/**
 * Domains the hypervisors have and Carve does not manage, and (issue 17) DHCP/DNS entries and
 * network filters no Carve VM accounts for, and (issue 19) files in Carve's pools that no volume
 * owns, as reconciliation found them: open ones
 * (and those being destroyed) by default, everything with `all`. For admins.
 */
export async function listDrift(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TDriftView[]> {
  requireAdmin(actor, "list drift");
  const { all } = parseInput(ZListDriftInput, input);
  const states: DriftState[] = all ? ["Open", "Destroying", "Ignored", "Resolved"] : ["Open", "Destroying"];
  return deps.db.driftItem.findMany({
    where: { state: { in: states } },
    orderBy: [{ firstSeenAt: "asc" }, { domainName: "asc" }],
    select: {
      id: true,
      host: { select: { id: true, name: true } },
      kind: true,
      domainName: true,
      network: true,
      mac: true,
      ip: true,
      pool: true,
      domainUuid: true,
      reportedState: true,
      vmId: true,
      note: true,
      state: true,
      jobId: true,
      firstSeenAt: true,
      lastSeenAt: true,
      resolvedAt: true,
    },
  });
}
