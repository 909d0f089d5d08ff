import { UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { createAgentMetrics } from "./metrics.ts";
import { FakeHypervisor } from "./testing/fake-hypervisor.ts";

/** The value of one sample line, e.g. `carve_agent_jobs_total{job="vm.start",outcome="succeeded"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("agent metrics", () => {
  it("count and time each attempt by job and outcome: succeeded, failed for good, error (retried)", async () => {
    const metrics = createAgentMetrics();
    await metrics.observeJob("vm.start", async () => "ok");
    await metrics.observeJob("vm.start", async () => "ok");
    await expect(metrics.observeJob("vm.create", async () => Promise.reject(new UnrecoverableError("no such pool")))).rejects.toThrow("no such pool");
    await expect(metrics.observeJob("vm.create", async () => Promise.reject(new Error("connection reset")))).rejects.toThrow("connection reset");
    const text = await metrics.render();
    expect(sample(text, 'carve_agent_jobs_total{job="vm.start",outcome="succeeded"}')).toBe(2);
    expect(sample(text, 'carve_agent_jobs_total{job="vm.create",outcome="failed"}')).toBe(1);
    expect(sample(text, 'carve_agent_jobs_total{job="vm.create",outcome="error"}')).toBe(1);
    expect(sample(text, 'carve_agent_job_duration_seconds_count{job="vm.start",outcome="succeeded"}')).toBe(2);
    expect(sample(text, 'carve_agent_job_duration_seconds_bucket{le="+Inf",job="vm.create",outcome="failed"}')).toBe(1);
  });

  it("count hypervisor calls that fail, by call and transience, and pass results and errors through untouched", async () => {
    const metrics = createAgentMetrics();
    const fake = new FakeHypervisor();
    const hypervisor = metrics.instrument(fake);
    expect(hypervisor.uri).toBe("fake:///");
    expect(await hypervisor.listVolumes("default")).toEqual(["template.qcow2"]);
    await expect(hypervisor.startDomain("carve-missing")).rejects.toThrow("Domain not found: carve-missing");
    fake.connectionLost = "cannot recv data: Connection reset by peer";
    await expect(hypervisor.startDomain("carve-missing")).rejects.toThrow("cannot recv data");
    await expect(hypervisor.startDomain("carve-missing")).rejects.toThrow("cannot recv data");
    const text = await metrics.render();
    expect(sample(text, 'carve_agent_libvirt_errors_total{call="startDomain",transient="false"}')).toBe(1);
    expect(sample(text, 'carve_agent_libvirt_errors_total{call="startDomain",transient="true"}')).toBe(2);
    expect(text).not.toContain('call="listVolumes"');
  });
});
