import type { Host } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { createJoinToken, ZJoinTokenTtl, type TJoinToken } from "./join-token.ts";

/** libvirt URIs Carve drives: the test driver (tests, demos) and QEMU, locally or over ssh/tls. */
export const LIBVIRT_URI = /^(test:\/\/\/[A-Za-z0-9._\/-]*|qemu(\+(ssh|tls|tcp|unix))?:\/\/[A-Za-z0-9.@:_-]*\/(system|session)(\?[A-Za-z0-9=&._\/-]*)?)$/;

export const ZAddHostInput = z.strictObject({
  name: ZObjectName,
  uri: z
    .string({ error: "must be a libvirt URI (e.g. qemu:///system)" })
    .regex(LIBVIRT_URI, "must be a libvirt URI such as qemu:///system, qemu+ssh://user@host/system or test:///default")
    .default("qemu:///system"),
  cpuOvercommit: z.number().min(1, "must be at least 1").max(16, "must be at most 16").default(1),
  memOvercommit: z.number().min(1, "must be at least 1").max(4, "must be at most 4").default(1),
  tags: z.array(ZObjectName).max(32).default([]),
  /** How long the join token printed for the host's agent stays valid. */
  joinTokenTtlMinutes: ZJoinTokenTtl,
});

/**
 * Registers a hypervisor host and issues its one-time join token (shown once; the database keeps
 * its sha256). The host stays Disconnected until `carve-agent join` with its token on it reports what
 * libvirt has and its agent heartbeats. A host that was removed comes back under the same name and
 * id (its history and registered pools with it); the join adopts what its libvirt still defines.
 */
export async function addHost(deps: CoreDeps, actor: TActor, input: unknown): Promise<Host & { joinToken: TJoinToken }> {
  requireAdmin(actor, "add hosts");
  const { joinTokenTtlMinutes, ...data } = parseInput(ZAddHostInput, input);
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.host.findUnique({ where: { name: data.name }, select: { id: true, state: true } });
    if (existing && existing.state !== "Removed") {
      throw new CarveError("ALREADY_EXISTS", `A host named '${data.name}' already exists (${existing.state}). Choose another name, or issue a new join token for it with 'carve host join-token ${data.name}'.`, {
        fields: [{ field: "name", message: "is already used by another host" }],
      });
    }
    const host = existing
      ? await tx.host.update({ where: { id: existing.id }, data: { ...data, state: "Disconnected", credentialHash: null, joinedAt: null } })
      : await tx.host.create({ data: { ...data, state: "Disconnected" } });
    const joinToken = await createJoinToken(tx, deps, host.id, joinTokenTtlMinutes);
    const again = existing ? "re-added after removal" : "added";
    await recordEvent(tx, { type: "host.added", actor, hostId: host.id, toState: host.state, message: `host ${host.name} ${again} (${host.uri}); waiting for its agent to join` });
    return { ...host, joinToken };
  });
}
