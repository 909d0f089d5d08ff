import type { Role } from "@carve/db";
import { CarveError } from "../errors/index.ts";

/** The front door a request came through; recorded on every event. */
export type TVia = "cli" | "portal" | "api" | "slack" | "controller";

/**
 * Where a request came from, set by the front door that received it and recorded in the audit
 * trail. Identifiers only: never a credential.
 */
export interface TOrigin {
  /** The client's network address (portal, REST API). */
  clientAddr?: string | undefined;
  /** The Slack workspace (team id) of a Slack command. */
  slackTeam?: string | undefined;
  /** The front door's request id, also in its log lines. */
  requestId?: string | undefined;
  /** The local CLI: the operating-system account that ran `carve` on the management server. */
  osUser?: string | undefined;
  /** The local CLI: the name of the machine it ran on. */
  osHost?: string | undefined;
}

/** Who is acting: a signed-in user, or the system itself (controller timers). */
export type TActor =
  | {
      kind: "user";
      userId: string;
      username: string;
      role: Role;
      via: TVia;
      /** Set when the user acts through an API key: what the key allows (absent: everything the user may). */
      scope?: "Read" | "Write";
      origin?: TOrigin;
    }
  | { kind: "system"; via: "controller"; origin?: TOrigin };

/** A signed-in user acting in person or through an API key. */
export type TUserActor = Extract<TActor, { kind: "user" }>;

export const SYSTEM_ACTOR: TActor = { kind: "system", via: "controller" };

export function isAdmin(actor: TActor): boolean {
  return actor.kind === "system" || actor.role === "Admin";
}

/** The user id recorded as the actor of events and jobs (null for the system). */
export function actorId(actor: TActor): string | null {
  return actor.kind === "user" ? actor.userId : null;
}

/** Refuses a read-only API key for an action that changes something, naming the action. */
export function requireWriteScope(actor: TActor, action: string): void {
  if (actor.kind === "user" && actor.scope === "Read") {
    throw new CarveError("FORBIDDEN", `This API key is read-only and cannot ${action}. Use a key with the write scope ('carve apikey create --scope write').`);
  }
}

/** Refuses anyone but admins, naming the action. */
export function requireAdmin(actor: TActor, action: string): void {
  if (!isAdmin(actor)) {
    throw new CarveError("FORBIDDEN", `Only administrators can ${action}. Ask an admin to do it for you.`);
  }
}

/** A user acting in person (not the system); the owner of anything they create. */
export function requireUser(actor: TActor): Extract<TActor, { kind: "user" }> {
  if (actor.kind !== "user") {
    throw new CarveError("FORBIDDEN", "This action needs a signed-in user.");
  }
  return actor;
}
