import type { Host } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";

/** libvirt URIs Carve drives: the test driver (tests, demos) and QEMU, locally or over ssh/tls. */
const LIBVIRT_URI = /^(test:\/\/\/[A-Za-z0-9._\/-]*|qemu(\+(ssh|tls|tcp|unix))?:\/\/[A-Za-z0-9.@:_-]*\/(system|session)(\?[A-Za-z0-9=&._\/-]*)?)$/;

export const ZAddHostInput = z.object({
  name: ZObjectName,
  uri: z
    .string({ error: "is required (e.g. qemu:///system)" })
    .regex(LIBVIRT_URI, "must be a libvirt URI such as qemu:///system, qemu+ssh://user@host/system or test:///default"),
  cpuOvercommit: z.number().min(1, "must be at least 1").max(16, "must be at most 16").default(1),
  memOvercommit: z.number().min(1, "must be at least 1").max(4, "must be at most 4").default(1),
  tags: z.array(ZObjectName).max(32).default([]),
});

/**
 * Registers a hypervisor host. It stays Disconnected until its agent (started with the host id
 * this returns) sends its first heartbeat with the CPUs and memory libvirt reports.
 */
export async function addHost(deps: CoreDeps, actor: TActor, input: unknown): Promise<Host> {
  requireAdmin(actor, "add hosts");
  const data = parseInput(ZAddHostInput, input);
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.host.findUnique({ where: { name: data.name }, select: { state: true } });
    if (existing) {
      throw new CarveError("ALREADY_EXISTS", `A host named '${data.name}' already exists (${existing.state}). Choose another name.`, {
        fields: [{ field: "name", message: "is already used by another host" }],
      });
    }
    const host = await tx.host.create({ data: { ...data, state: "Disconnected" } });
    await recordEvent(tx, { type: "host.added", actor, hostId: host.id, toState: host.state, message: `host ${host.name} added (${host.uri})` });
    return host;
  });
}
