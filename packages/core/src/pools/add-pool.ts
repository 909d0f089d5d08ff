import type { Job, StoragePool } from "@carve/db";
import { ZLibvirtName } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { resolveHost } from "../hosts/resolve-host.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { recordPoolDefines } from "./define-pool.ts";

export const ZAddPoolInput = z.strictObject({
  name: ZObjectName,
  /** The pool's name inside libvirt on its hosts. */
  libvirtName: ZLibvirtName,
  path: z.string().regex(/^\/[A-Za-z0-9._\/-]*$/, "must be an absolute path of letters, digits, '.', '_', '-' and '/'"),
  scope: z.enum(["Local", "Shared"], { error: "must be Local or Shared" }).default("Local"),
  /** Dir: a directory on the host; Netfs: an NFS export libvirt mounts at `path`. */
  kind: z.enum(["Dir", "Netfs"], { error: "must be Dir or Netfs" }).default("Dir"),
  /** Netfs: the NFS server's host name or address, and the exported path. */
  sourceHost: z.string().max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "must be a host name or IPv4 address").optional(),
  sourcePath: z.string().regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute path of plain segments").optional(),
  /** Host names or ids that see the pool: exactly one for a Local pool. */
  hosts: z.array(z.string().min(1).max(100)).min(1, "needs at least one host"),
  tags: z.array(ZObjectName).max(32).default([]),
});

/**
 * Registers a storage pool that the named hosts see and sends each of them a pool.define job: the
 * agent defines, builds, starts and autostarts it in libvirt (adopting a pool with the same
 * target), and the result makes it Up or Unhealthy with the reason (`jobs` to watch).
 * @throws CarveError INVALID_INPUT, ALREADY_EXISTS, HOST_NOT_FOUND, FORBIDDEN
 */
export async function addPool(deps: CoreDeps, actor: TActor, input: unknown): Promise<StoragePool & { jobs: Job[] }> {
  requireAdmin(actor, "add storage pools");
  const data = parseInput(ZAddPoolInput, input);
  if (data.scope === "Local" && data.hosts.length !== 1) {
    throw new CarveError("INVALID_INPUT", "Invalid input. hosts: a Local pool belongs to exactly one host; use scope Shared for a pool several hosts see", {
      fields: [{ field: "hosts", message: "a Local pool belongs to exactly one host" }],
    });
  }
  if (data.kind === "Netfs" && (!data.sourceHost || !data.sourcePath)) {
    throw new CarveError("INVALID_INPUT", "Invalid input. sourceHost: a Netfs pool needs its NFS server (sourceHost) and export (sourcePath)", {
      fields: [{ field: data.sourceHost ? "sourcePath" : "sourceHost", message: "is required for a Netfs pool" }],
    });
  }
  const added = await deps.db.$transaction(async (tx) => {
    const hosts = await Promise.all(data.hosts.map((ref) => resolveHost(tx, ref, "hosts")));
    // A Removed pool's name is free again (issue 19): only live pools hold theirs (liveName).
    if (await tx.storagePool.findUnique({ where: { liveName: data.name }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `A storage pool named '${data.name}' already exists. Choose another name.`, {
        fields: [{ field: "name", message: "is already used by another pool" }],
      });
    }
    const pool = await tx.storagePool.create({
      data: {
        name: data.name,
        liveName: data.name,
        libvirtName: data.libvirtName,
        path: data.path,
        scope: data.scope,
        kind: data.kind,
        sourceHost: data.kind === "Netfs" ? (data.sourceHost ?? null) : null,
        sourcePath: data.kind === "Netfs" ? (data.sourcePath ?? null) : null,
        tags: data.tags,
        hostId: data.scope === "Local" ? (hosts[0]?.id ?? null) : null,
        hosts: { create: hosts.map((h) => ({ hostId: h.id })) },
      },
    });
    await recordEvent(tx, { type: "pool.added", actor, message: `pool ${pool.name} (${pool.scope}) added on ${hosts.map((h) => h.name).join(", ")}` });
    return { ...pool, jobs: await recordPoolDefines(tx, deps, actor, pool, hosts) };
  });
  for (const job of added.jobs) await dispatchJob(deps, job);
  return added;
}
