import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { listUsers } from "./list-users.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

describe("listUsers", () => {
  it("pages through every account by username with nextCursor, searching and filtering the same way on every page", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    for (let i = 1; i <= 7; i++) await createTestUser(core, `dev-${i}`);
    await core.db.user.update({ where: { username: "dev-3" }, data: { email: "third@example.test", disabledAt: new Date(), disabledReason: "directory" } });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listUsers(core, admin, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((u) => u.username));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(["dev-1", "dev-2", "dev-3", "dev-4", "dev-5", "dev-6", "dev-7", "root"]);

    const dev = await listUsers(core, admin, { search: "DEV", limit: 5 });
    expect(dev.items.map((u) => u.username)).toEqual(["dev-1", "dev-2", "dev-3", "dev-4", "dev-5"]);
    const rest = await listUsers(core, admin, { search: "DEV", limit: 5, cursor: dev.nextCursor });
    expect(rest).toMatchObject({ items: [{ username: "dev-6" }, { username: "dev-7" }], nextCursor: null });
    expect((await listUsers(core, admin, { search: "third@" })).items.map((u) => u.username)).toEqual(["dev-3"]);
    expect(await listUsers(core, admin, { disabledOnly: true })).toMatchObject({ items: [{ username: "dev-3", disabledReason: "directory", liveVms: 0 }], nextCursor: null });

    const badCursor = (await listUsers(core, admin, { cursor: "page-2" }).catch((e: CarveError) => e)) as CarveError;
    expect(badCursor.fields?.[0]?.field).toBe("cursor");
    const badLimit = (await listUsers(core, admin, { limit: 0 }).catch((e: CarveError) => e)) as CarveError;
    expect(badLimit.fields?.[0]).toMatchObject({ field: "limit", message: "must be at least 1" });
    const alice = await createTestUser(core, "alice");
    expect(((await listUsers(core, alice).catch((e: CarveError) => e)) as CarveError).code).toBe("FORBIDDEN");
  });
});
