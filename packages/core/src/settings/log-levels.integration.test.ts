import { afterEach, beforeEach, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { applyLogLevels } from "./apply-log-levels.ts";
import { setLogLevel } from "./set-log-level.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

it("admins set the controller's and the agents' levels at runtime; default hands them back to LOG_LEVEL", async () => {
  const admin = await createTestUser(core, "ops", "Admin");
  expect(await setLogLevel(core, admin, {})).toEqual({ controller: null, agent: null });
  expect(await setLogLevel(core, admin, { level: "debug" })).toEqual({ controller: "debug", agent: "debug" });
  expect(await setLogLevel(core, admin, { level: "warn", process: "agent" })).toEqual({ controller: "debug", agent: "warn" });
  expect(await setLogLevel(core, admin, { level: "default", process: "controller" })).toEqual({ controller: null, agent: "warn" });
  const events = await core.db.event.findMany({ where: { type: "settings.log-level" }, orderBy: { id: "asc" } });
  expect(events.map((e) => e.message)).toEqual(["controller and agent log level set to debug", "agent log level set to warn", "controller log level back to LOG_LEVEL"]);
});

it("refuses non-admins and unknown levels or processes, naming the field and the choices", async () => {
  const admin = await createTestUser(core, "ops", "Admin");
  const dev = await createTestUser(core, "dev");
  await expect(setLogLevel(core, dev, { level: "debug" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  const bad = await setLogLevel(core, admin, { level: "loud", process: "slack" }).catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(CarveError);
  expect((bad as CarveError).message).toMatch(/level: must be one of fatal, error, warn, info, debug, trace, silent, or default/);
  expect((bad as CarveError).message).toMatch(/process: must be controller, agent or all/);
});

it("the controller's round hands the agents' level to each host once per change, and takes it back", async () => {
  const admin = await createTestUser(core, "ops", "Admin");
  const { hosts } = await seedInfra(core, { hosts: 2 });
  const [one, two] = hosts.map((h) => h.host.id);
  if (!one || !two) throw new Error("two hosts expected");
  const published = new Map<string, string | null>();
  const sent: string[] = [];
  const setAgentLogLevel = core.queues.setAgentLogLevel.bind(core.queues);
  core.queues.setAgentLogLevel = async (hostId, level) => {
    sent.push(`${hostId}=${level}`);
    await setAgentLogLevel(hostId, level);
  };

  // A fresh controller clears whatever an earlier one left, once.
  expect(await applyLogLevels(core, published)).toEqual({ controller: null, agent: null });
  expect(sent.sort()).toEqual([`${one}=null`, `${two}=null`].sort());
  await applyLogLevels(core, published);
  expect(sent).toHaveLength(2);

  await setLogLevel(core, admin, { level: "debug", process: "agent" });
  expect(await applyLogLevels(core, published)).toEqual({ controller: null, agent: "debug" });
  expect(Object.fromEntries(core.queues.agentLogLevels)).toEqual({ [one]: "debug", [two]: "debug" });
  await applyLogLevels(core, published);
  expect(sent).toHaveLength(4);

  // Redis away: nothing is marked as sent, so the next round tries again.
  await setLogLevel(core, admin, { level: "default" });
  core.queues.offline = true;
  await expect(applyLogLevels(core, published)).rejects.toThrow(/unreachable/);
  core.queues.offline = false;
  await applyLogLevels(core, published);
  expect(core.queues.agentLogLevels.size).toBe(0);

  await core.db.host.update({ where: { id: two }, data: { state: "Removed" } });
  await applyLogLevels(core, published);
  expect([...published.keys()]).toEqual([one]);
});
