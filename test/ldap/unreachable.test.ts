// Acceptance 4: LDAP server down → a clear "directory unreachable" error; local accounts still sign in.
import { createServer, type Server, type Socket } from "node:net";
import { authenticate, createLocalUser, operatorActor, syncDirectory, type CarveError } from "@carve/core";
import { describe, expect, it } from "vitest";
import { openLdapSettings, useDirectory, useDirectorySuite } from "../lib/ldap/fixture.ts";
import { OPENLDAP_USERS } from "../lib/ldap/layouts.ts";

const t = useDirectorySuite({ ldapTimeoutMs: 500 }, async (id) => {
  await createLocalUser(id.deps, await operatorActor(id.deps), { username: "breakglass", password: "local and long password" });
});

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toMatchObject({ name: "CarveError" });
  return error as CarveError;
}

const alice = { username: "alice", password: OPENLDAP_USERS.alice.password };
const local = { username: "breakglass", password: "local and long password" };

describe("when the directory is down", () => {
  it("directory users get DIRECTORY_UNREACHABLE saying local accounts still work; local users sign in; all recover with the server", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir));
    expect((await authenticate(t.id.deps, alice)).actor.username).toBe("alice");
    await t.dir.slapd.kill();
    try {
      const started = performance.now();
      const down = await refusal(authenticate(t.id.deps, alice));
      console.log(`refused connection answered in ${(performance.now() - started).toFixed(0)} ms`);
      expect(down.code).toBe("DIRECTORY_UNREACHABLE");
      expect(down.message).toMatch(/^The directory at ldaps:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)\..*local accounts still can/);
      expect((await authenticate(t.id.deps, local)).actor.username).toBe("breakglass");
      // A known directory user is not disabled by a failed sync.
      expect((await refusal(syncDirectory(t.id.deps, await operatorActor(t.id.deps)))).code).toBe("DIRECTORY_UNREACHABLE");
      expect((await t.id.core.db.user.findUniqueOrThrow({ where: { username: "alice" } })).disabledAt).toBeNull();
    } finally {
      await t.dir.slapd.restart();
    }
    expect((await authenticate(t.id.deps, alice)).actor.username).toBe("alice");
  });

  it("a server that accepts but never answers times out as unreachable, within the configured timeout", async () => {
    const sockets: Socket[] = [];
    const blackHole: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    const port = (blackHole.address() as { port: number }).port;
    try {
      await useDirectory(t.id.deps, { ...openLdapSettings(t.dir), url: `ldaps://127.0.0.1:${port}` });
      const started = performance.now();
      const error = await refusal(authenticate(t.id.deps, alice));
      const ms = performance.now() - started;
      expect(error.code).toBe("DIRECTORY_UNREACHABLE");
      expect(ms).toBeLessThan(3_000);
      console.log(`silent server answered as unreachable in ${ms.toFixed(0)} ms (timeout 500 ms)`);
      expect((await authenticate(t.id.deps, local)).actor.username).toBe("breakglass");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});
