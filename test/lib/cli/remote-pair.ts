// The admin-command tests of the remote CLI: ops (an admin) and bob (a user) each log in from their
// own machine with a Write key; the CLI on the management server is there to compare with.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiKey, type TActor } from "@carve/core";
import { expect } from "vitest";
import { carveInProcess } from "../../../apps/cli/src/testing/carve-in-process.ts";
import { apiClient } from "../portal/api-client.ts";
import type { TPortal } from "../portal/portal-server.ts";
import type { Stack } from "../stack/stack.ts";

/** One `carve` run: `input` is its stdin. */
export type TCarve = (args: string[], input?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface TRemotePair {
  /** `carve` on ops's machine (an admin's Write key once logged in). */
  ops: TCarve;
  /** `carve` on bob's machine (a user's Write key once logged in). */
  bob: TCarve;
  /** `carve` on the management server, never logged in: what the remote commands must print too. */
  local: TCarve;
  keys: { admin: string; user: string };
  /** Creates both keys and logs both machines in to the portal. */
  logIn(ops: TActor, bob: TActor): Promise<void>;
  /** A route called straight over HTTP with bob's key: its status and error code. */
  asBob(method: string, path: string, body?: unknown): Promise<{ status: number; code: unknown }>;
  /** Runs a command with bob's key (--json): refused as a non-admin, FORBIDDEN. */
  expectBobForbidden(args: string[], input?: string): Promise<void>;
  /** An action's audit rows, oldest first (`via`: only those from that front door). */
  auditRows(action: string, via?: string): Promise<{ actorName: string | null; via: string; outcome: string; errorCode: string | null; osUser: string | null; osHost: string | null; targetName: string | null }[]>;
}

/** What an audit row from the REST API says of the caller's machine: nothing (only the local CLI knows its OS user). */
export const VIA_API = { via: "api", osUser: null, osHost: null } as const;

/** The pair for a stack and portal that beforeAll makes (hence the getters). */
export function remotePair(stack: () => Stack, portal: () => TPortal): TRemotePair {
  const carveAt = (configHome?: string): TCarve => (args, input) =>
    carveInProcess({ databaseUrl: stack().databaseUrl, queuePrefix: stack().prefix, ...(configHome === undefined ? {} : { configHome }), ...(input === undefined ? {} : { input }) }, ...args);
  const ops = carveAt(mkdtempSync(join(tmpdir(), "carve-ops-")));
  const bob = carveAt(mkdtempSync(join(tmpdir(), "carve-bob-")));
  const keys = { admin: "", user: "" };
  return {
    ops,
    bob,
    local: carveAt(),
    keys,
    async logIn(opsActor, bobActor) {
      keys.admin = (await createApiKey(stack().core, opsActor, { name: "ops-laptop", scope: "Write" })).key;
      keys.user = (await createApiKey(stack().core, bobActor, { name: "laptop", scope: "Write" })).key;
      expect(await ops(["login", portal().url], keys.admin)).toMatchObject({ code: 0, stdout: expect.stringContaining("as ops (Admin, API key scope Write)") });
      expect(await bob(["login", portal().url], keys.user)).toMatchObject({ code: 0, stdout: expect.stringContaining("as bob (User, API key scope Write)") });
    },
    async asBob(method, path, body) {
      const answer = await apiClient(portal().url, keys.user)(method, path, body);
      return { status: answer.status, code: answer.body["code"] };
    },
    async expectBobForbidden(args, input) {
      const run = await bob(["--json", ...args], input);
      expect(run.code, args.join(" ")).toBe(1);
      expect(JSON.parse(run.stderr), args.join(" ")).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringContaining("Only administrators") } });
    },
    auditRows: (action, via) =>
      stack().core.db.auditEntry.findMany({
        where: { action, ...(via === undefined ? {} : { via }) },
        orderBy: { id: "asc" },
        select: { actorName: true, via: true, outcome: true, errorCode: true, osUser: true, osHost: true, targetName: true },
      }),
  };
}
