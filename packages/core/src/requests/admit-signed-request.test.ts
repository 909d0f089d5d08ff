import { createHash } from "node:crypto";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { CoreDeps } from "../context.ts";
import { FakeJobQueues } from "../testing/fake-job-queues.ts";
import { admitSignedRequest } from "./admit-signed-request.ts";

const NOW_S = Date.parse("2026-12-07T15:00:00Z") / 1000;
const digest = (text: string) => createHash("sha256").update(text).digest("hex");

function deps() {
  const queues = new FakeJobQueues();
  return { queues, deps: { queues, log: pino({ level: "silent" }), now: () => new Date(NOW_S * 1000) } as unknown as CoreDeps };
}

/** A request as the Slack bot hands it over: signed at `timestamp`, its body's digest. */
const request = (body: string, timestamp: number, retry = false) => ({ source: "slack", signature: `v0=${digest(`${timestamp}:${body}`)}`, timestamp, bodyDigest: digest(body), retry });

describe("admitSignedRequest", () => {
  it("runs a request once and refuses it as a replay after, for as long as its signature is valid", async () => {
    const { deps: d, queues } = deps();
    expect(await admitSignedRequest(d, request("reboot web-1", NOW_S - 60))).toBe("run");
    expect(await admitSignedRequest(d, request("reboot web-1", NOW_S - 60))).toBe("replay");
    // Remembered until the timestamp leaves the 5-minute window (4 minutes left), plus a minute for clock skew.
    const ttls = [...queues.remembered.entries()].filter(([key]) => key.startsWith("slack:signature:")).map(([, ttl]) => ttl);
    expect(ttls).toEqual([5 * 60_000]);
  });

  it("answers the sender's retries of a request that arrived without running them, re-signed or not; a retry of one that never arrived runs", async () => {
    const { deps: d } = deps();
    expect(await admitSignedRequest(d, request("create web-2", NOW_S))).toBe("run");
    expect(await admitSignedRequest(d, request("create web-2", NOW_S, true))).toBe("answered");
    expect(await admitSignedRequest(d, request("create web-2", NOW_S + 60, true))).toBe("answered");
    expect(await admitSignedRequest(d, request("create web-3", NOW_S + 60, true))).toBe("run");
    // A different request with a body seen before (not a retry) is Slack's own new request: it runs.
    expect(await admitSignedRequest(d, request("create web-2", NOW_S + 120))).toBe("run");
  });
});
