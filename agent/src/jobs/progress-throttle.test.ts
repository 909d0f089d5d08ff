import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TJobProgress } from "@carve/protocol";
import { throttleProgress } from "./progress-throttle.ts";

const step = (percent: number, name: string): TJobProgress => ({ percent, step: name });

describe("throttleProgress", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first report at once and merges the rest into one per interval", async () => {
    const sent: string[] = [];
    const progress = throttleProgress(async (p) => void sent.push(p.step), 250);
    await progress.report(step(10, "creating disk"));
    await progress.report(step(50, "defining"));
    await progress.report(step(75, "booting"));
    expect(sent).toEqual(["creating disk"]);
    await vi.advanceTimersByTimeAsync(250);
    expect(sent).toEqual(["creating disk", "booting"]); // the latest held report, not every one
    await vi.advanceTimersByTimeAsync(1000);
    await progress.report(step(90, "copying"));
    expect(sent).toEqual(["creating disk", "booting", "copying"]);
  });

  it("drops a held report once the job has ended", async () => {
    const sent: string[] = [];
    const progress = throttleProgress(async (p) => void sent.push(p.step), 250);
    await progress.report(step(10, "creating disk"));
    await progress.report(step(100, "done"));
    progress.end();
    await vi.advanceTimersByTimeAsync(1000);
    await progress.report(step(100, "late"));
    expect(sent).toEqual(["creating disk"]);
  });
});
