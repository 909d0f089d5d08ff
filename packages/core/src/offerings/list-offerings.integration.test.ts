import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { listDiskOfferings } from "./list-disk-offerings.ts";
import { listOfferings } from "./list-offerings.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

describe("listing offerings with the retired ones", () => {
  it("shows retired service and disk offerings to admins who ask, never to users", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await core.db.serviceOffering.createMany({ data: [{ name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 }, { name: "old", vcpus: 2, memoryMiB: 1024, rootDiskGiB: 1, active: false }] });
    await core.db.diskOffering.createMany({ data: [{ name: "ten", sizeGiB: 10, scope: "Local" }, { name: "legacy", sizeGiB: 5, scope: "Shared", active: false }] });

    expect((await listOfferings(core, alice)).map((o) => o.name)).toEqual(["small"]);
    expect((await listOfferings(core, admin)).map((o) => o.name)).toEqual(["small"]);
    expect((await listOfferings(core, admin, { includeRetired: true })).map((o) => [o.name, o.active])).toEqual([["small", true], ["old", false]]);
    expect((await listDiskOfferings(core, admin)).map((o) => o.name)).toEqual(["ten"]);
    expect((await listDiskOfferings(core, admin, { includeRetired: true })).map((o) => [o.name, o.active])).toEqual([["legacy", false], ["ten", true]]);

    const refused = (await listOfferings(core, alice, { includeRetired: true }).catch((e: CarveError) => e)) as CarveError;
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: "Only administrators can list retired offerings. Ask an admin to do it for you." });
    expect(((await listDiskOfferings(core, alice, { includeRetired: true }).catch((e: CarveError) => e)) as CarveError).code).toBe("FORBIDDEN");
    const bad = (await listOfferings(core, admin, { includeRetired: "yes" }).catch((e: CarveError) => e)) as CarveError;
    expect(bad.fields?.[0]?.field).toBe("includeRetired");
  });
});
