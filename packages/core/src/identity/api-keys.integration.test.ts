import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestCore, createTestUser, refusal, type TTestCore } from "../testing/index.ts";
import { authenticateApiKey } from "./authenticate-api-key.ts";
import { createApiKey } from "./create-api-key.ts";
import { listApiKeys } from "./list-api-keys.ts";
import { operatorActor } from "./operator-actor.ts";
import { revokeApiKey } from "./revoke-api-key.ts";
import { setUserEnabled } from "./set-user-enabled.ts";
import { startSession } from "./start-session.ts";
import { validateSession } from "./validate-session.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

describe("API keys", () => {
  it("shows a new key once, stores only its hash, and signs its owner in with the key's scope", async () => {
    const alice = await createTestUser(core, "alice");
    const created = await createApiKey(core, alice, { name: "ci", scope: "Write" });
    expect(created.key).toMatch(/^carve_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const row = await core.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    // The secret is base64url, which has "_" in it too: everything after "carve_<prefix>_".
    const secret = created.key.slice("carve_".length + 12 + 1);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(await listApiKeys(core, alice))).not.toMatch(/key"|hash|_[A-Za-z0-9_-]{43}/);

    const actor = await authenticateApiKey(core, { key: created.key, need: "Write" });
    expect(actor).toMatchObject({ kind: "user", userId: alice.userId, username: "alice", via: "api", scope: "Write" });
    expect((await core.db.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).not.toBeNull();
  });

  it("refuses a read-only key for writes, and a read-only key cannot mint a write key", async () => {
    const alice = await createTestUser(core, "alice");
    const { key } = await createApiKey(core, alice, { name: "dashboard" });
    expect((await authenticateApiKey(core, { key, need: "Read" })).scope).toBe("Read");
    expect((await refusal(authenticateApiKey(core, { key, need: "Write" }))).code).toBe("FORBIDDEN");
    const viaKey = await authenticateApiKey(core, { key });
    expect((await refusal(createApiKey(core, viaKey, { name: "escalate", scope: "Write" }))).code).toBe("FORBIDDEN");
  });

  it.each([
    ["a tampered secret", (k: string) => `${k.slice(0, -4)}AAAA`],
    ["garbage", () => "not-a-key"],
    ["an empty string", () => ""],
  ])("refuses %s without saying which part was wrong", async (_, mangle) => {
    const alice = await createTestUser(core, "alice");
    const { key } = await createApiKey(core, alice, { name: "ci" });
    expect((await refusal(authenticateApiKey(core, { key: mangle(key) }))).code).toBe("API_KEY_INVALID");
  });

  it("stops a revoked key at once, and an expired one", async () => {
    const alice = await createTestUser(core, "alice");
    const revoked = await createApiKey(core, alice, { name: "old" });
    await revokeApiKey(core, alice, revoked.prefix);
    expect((await refusal(authenticateApiKey(core, { key: revoked.key }))).message).toContain("was revoked");
    const expiring = await createApiKey(core, alice, { name: "short", expiresInDays: 1 });
    const later = { ...core, now: () => new Date(Date.now() + 2 * 86_400_000) };
    expect((await refusal(authenticateApiKey(later, { key: expiring.key }))).message).toContain("expired");
  });

  it("lets users revoke only their own keys; admins manage anyone's", async () => {
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    const { prefix } = await createApiKey(core, alice, { name: "ci" });
    expect((await refusal(revokeApiKey(core, bob, prefix))).code).toBe("API_KEY_NOT_FOUND");
    expect((await refusal(createApiKey(core, bob, { name: "x", user: "alice" }))).code).toBe("FORBIDDEN");
    const admin = await operatorActor(core);
    expect((await createApiKey(core, admin, { name: "for-alice", user: "alice" })).user.username).toBe("alice");
    expect((await revokeApiKey(core, admin, prefix)).revokedAt).not.toBeNull();
  });
});

describe("disabling a user", () => {
  it("refuses their API key and their session on the very next request, and lists their VMs", async () => {
    const alice = await createTestUser(core, "alice");
    const { key } = await createApiKey(core, alice, { name: "ci" });
    const session = await startSession(core, { userId: alice.userId });
    expect((await validateSession(core, session)).username).toBe("alice");
    const result = await setUserEnabled(core, await operatorActor(core), { user: "alice", enabled: false });
    expect(result).toMatchObject({ username: "alice", enabled: false, vms: [] });
    expect((await refusal(authenticateApiKey(core, { key }))).code).toBe("ACCOUNT_DISABLED");
    expect((await refusal(validateSession(core, session))).code).toBe("SESSION_EXPIRED");
    // Enabling again does not bring old sessions back: they were ended.
    await setUserEnabled(core, await operatorActor(core), { user: "alice", enabled: true });
    expect((await refusal(validateSession(core, session))).code).toBe("SESSION_EXPIRED");
    expect((await authenticateApiKey(core, { key })).username).toBe("alice");
  });
});
