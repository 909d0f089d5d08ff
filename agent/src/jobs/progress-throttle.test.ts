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

  it("reports a job still running after the interval, then merges reports into one per interval", async () => {
    const sent: string[] = [];
    const progress = throttleProgress(async (p) => void sent.push(p.step), 250);
    await progress.report(step(10, "creating disk"));
    await progress.report(step(50, "defining"));
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(250);
    expect(sent).toEqual(["defining"]); // the latest held report, not every one
    await progress.report(step(75, "booting"));
    await progress.report(step(80, "copying"));
    await vi.advanceTimersByTimeAsync(250);
    expect(sent).toEqual(["defining", "copying"]);
    await vi.advanceTimersByTimeAsync(1000);
    await progress.report(step(90, "waiting"));
    expect(sent).toEqual(["defining", "copying", "waiting"]); // a quiet interval passed: at once
  });

  it("sends nothing for a job that ends within the interval", async () => {
    const sent: string[] = [];
    const progress = throttleProgress(async (p) => void sent.push(p.step), 250);
    await progress.report(step(10, "creating disk"));
    await vi.advanceTimersByTimeAsync(100);
    await progress.report(step(100, "done"));
    progress.end();
    await vi.advanceTimersByTimeAsync(1000);
    await progress.report(step(100, "late"));
    expect(sent).toEqual([]);
  });
});
