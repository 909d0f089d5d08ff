import { Writable } from "node:stream";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { followLogLevel, wantedLevel } from "./log-level.ts";

const KNOWN = pino().levels.values;

/** A logger at info whose lines are kept, parsed. */
function capturedLogger() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: "info" }, sink), lines };
}

describe("runtime log level", () => {
  it("is the published level when it is one pino knows, else the agent's own", () => {
    expect(wantedLevel("debug", "info", KNOWN)).toBe("debug");
    expect(wantedLevel(null, "warn", KNOWN)).toBe("warn");
    expect(wantedLevel("loud", "info", KNOWN)).toBe("info");
    expect(wantedLevel("constructor", "info", KNOWN)).toBe("info");
  });

  it("follows the key the controller writes, each interval, without a restart", async () => {
    const { log, lines } = capturedLogger();
    const keys: string[] = [];
    let published: string | null = null;
    const redis = { get: async (key: string) => (keys.push(key), published) } as unknown as Redis;
    const follower = followLogLevel({ redis, prefix: "bull", hostId: "h1", log, ownLevel: "info", intervalMs: 20 });
    const job = log.child({ jobId: "j1" });
    job.debug("before");
    published = "debug";
    await new Promise((resolve) => setTimeout(resolve, 80));
    job.debug("after");
    published = null;
    await new Promise((resolve) => setTimeout(resolve, 80));
    job.debug("back to info");
    await follower.stop();
    expect(keys[0]).toBe("bull:host.h1:carve:log-level");
    expect(lines.map((l) => l.msg)).toEqual(["log level changed", "after", "log level changed"]);
    // pino's own numeric level stays intact in the line that announces the change.
    expect(lines[0]).toMatchObject({ level: 30, from: "info", to: "debug" });
    expect(lines[1]).toMatchObject({ level: 20, jobId: "j1" });
    expect(log.level).toBe("info");
  });

  it("leaves a 'log level changed' line that shows when switching to a quieter level too", async () => {
    const { log, lines } = capturedLogger();
    let published: string | null = "warn";
    const redis = { get: async () => published } as unknown as Redis;
    const follower = followLogLevel({ redis, prefix: "bull", hostId: "h1", log, ownLevel: "info", intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    published = "error";
    await new Promise((resolve) => setTimeout(resolve, 80));
    await follower.stop();
    expect(log.level).toBe("error");
    // info → warn: written at info before the switch; warn → error: at warn, the level it leaves.
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: "log level changed", from: "info", to: "warn" }),
      expect.objectContaining({ level: 40, msg: "log level changed", from: "warn", to: "error" }),
    ]);
  });

  it("keeps its level when the key cannot be read, and says so once per error", async () => {
    const { log, lines } = capturedLogger();
    const redis = { get: async () => Promise.reject(new Error("NOPERM no permissions to access a key")) } as unknown as Redis;
    const follower = followLogLevel({ redis, prefix: "bull", hostId: "h1", log, ownLevel: "debug", intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await follower.stop();
    expect(log.level).toBe("info");
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: "could not read the log level the control plane asks for; keeping the current one" })]);
  });
});
