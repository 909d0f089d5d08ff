import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-log-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve settings log-level shows, sets per process and resets the runtime log levels", async () => {
  expect(await carve("settings", "log-level")).toMatchObject({ code: 0, stdout: "controller: LOG_LEVEL (default)\nagents: LOG_LEVEL (default)\n" });
  expect(await carve("settings", "log-level", "debug", "--process", "agent")).toMatchObject({ code: 0, stdout: "controller: LOG_LEVEL (default)\nagents: debug\n" });
  expect(JSON.parse((await carve("--json", "settings", "log-level", "trace")).stdout)).toEqual({ controller: "trace", agent: "trace" });
  expect(await carve("settings", "log-level", "default", "--process", "controller")).toMatchObject({ code: 0, stdout: "controller: LOG_LEVEL (default)\nagents: trace\n" });
  const bad = await carve("settings", "log-level", "loud");
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("level: must be one of fatal, error, warn, info, debug, trace, silent, or default");
  expect(await database.db.setting.findMany({ where: { key: { startsWith: "log." } }, select: { key: true, value: true } })).toEqual([{ key: "log.level.agent", value: "trace" }]);
});
