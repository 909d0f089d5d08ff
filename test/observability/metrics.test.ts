import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createVm, destroyVm, setLogLevel, stopVm, type TActor } from "@carve/core";
import type { TFamily } from "../lib/prometheus/parse-exposition.ts";
import { sampleValue } from "../lib/prometheus/parse-exposition.ts";
import { metricsPortOf, scrape } from "../lib/prometheus/scrape.ts";
import { LEVEL, logLines, waitForLogLine } from "../lib/stack/log-lines.ts";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

// Port 0 everywhere: many stacks may run at once; each process logs the port it got.
/** What Prometheus is given (authorization: credentials_file); the same for controller and agent here. */
const METRICS_TOKEN = randomBytes(32).toString("hex");
let stack: Stack;
let admin: TActor;
let dev: TActor;
let hostId: string;
let controllerLog: string;
let agentLog: string;
let controllerPort: number;
let agentPort: number;

beforeAll(async () => {
  stack = await new Stack({ controllerEnv: { CARVE_METRICS_PORT: "0", CARVE_METRICS_TOKEN: METRICS_TOKEN } }).init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  const [host] = await addTestHosts(stack, admin, { count: 1, agentEnv: { CARVE_AGENT_METRICS_PORT: "0", CARVE_METRICS_TOKEN: METRICS_TOKEN } });
  if (!host) throw new Error("no host");
  hostId = host.id;
  controllerLog = join(stack.dir, "controller.log");
  agentLog = join(stack.dir, `agent-${hostId}.log`);
  controllerPort = await metricsPortOf(controllerLog);
  agentPort = await metricsPortOf(agentLog);
});

afterAll(async () => {
  await stack?.stop();
});

const value = (families: Map<string, TFamily>, name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0;
const created = (kind: string, outcome = "succeeded") => ({ kind, outcome, code: outcome === "succeeded" ? "" : "AGENT_ERROR" });

it("controller and agent serve /metrics that parse, and change as VM jobs run", async () => {
  const controllerBefore = await scrape(controllerPort, METRICS_TOKEN);
  const agentBefore = await scrape(agentPort, METRICS_TOKEN);
  expect(controllerBefore.get("carve_jobs_finished_total")?.type).toBe("counter");
  expect(controllerBefore.get("carve_job_duration_seconds")?.type).toBe("histogram");
  expect(controllerBefore.get("carve_reconcile_corrections_total")?.type).toBe("counter");
  expect(value(controllerBefore, "carve_host_vcpus_capacity", { host: "host-1" })).toBe(16);
  expect(value(controllerBefore, "carve_host_memory_capacity_bytes", { host: "host-1" })).toBe(32_768 * 1024 * 1024);
  expect(sampleValue(controllerBefore, "carve_host_vcpus_allocated", { host: "host-1" })).toBe(0);
  expect(sampleValue(controllerBefore, "carve_host_up", { host: "host-1", state: "Up" })).toBe(1);
  expect(sampleValue(controllerBefore, "carve_queue_jobs", { host: "host-1", state: "waiting" })).toBe(0);
  expect(agentBefore.get("carve_agent_jobs_total")?.type).toBe("counter");
  expect(agentBefore.get("carve_agent_libvirt_errors_total")?.type).toBe("counter");
  expect(agentBefore.get("process_cpu_seconds_total")?.type).toBe("counter");
  expect(controllerBefore.get("process_cpu_seconds_total")?.type).toBe("counter");
  expect((await fetch(`http://127.0.0.1:${agentPort}/`)).status).toBe(404);
  // Without the token, or with another, neither process shows anything.
  for (const port of [controllerPort, agentPort]) {
    for (const headers of [{}, { authorization: `Bearer ${"0".repeat(64)}` }, { authorization: METRICS_TOKEN }] as Record<string, string>[]) {
      const refused = await fetch(`http://127.0.0.1:${port}/metrics`, { headers });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="carve-metrics"');
      expect(await refused.text()).not.toContain("carve_");
    }
  }

  const vms = await Promise.all(["m-1", "m-2"].map((name) => createVm(stack.core, dev, { name, template: "tiny", offering: "small" })));
  await Promise.all(vms.map(({ job }) => stack.finish(dev, job.id)));
  await stack.finish(dev, (await stopVm(stack.core, dev, { vm: "m-2" })).id);
  await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: "m-2" })).id);

  const controller = await scrape(controllerPort, METRICS_TOKEN);
  const agent = await scrape(agentPort, METRICS_TOKEN);
  const grew = (name: string, labels: Record<string, string>) => value(controller, name, labels) - value(controllerBefore, name, labels);
  expect(grew("carve_jobs_finished_total", created("vm.create"))).toBe(2);
  expect(grew("carve_jobs_finished_total", created("vm.stop"))).toBe(1);
  expect(grew("carve_jobs_finished_total", created("vm.destroy"))).toBe(1);
  expect(grew("carve_job_duration_seconds_count", { kind: "vm.create", outcome: "succeeded" })).toBe(2);
  expect(grew("carve_job_duration_seconds_bucket", { kind: "vm.create", outcome: "succeeded", le: "+Inf" })).toBe(2);
  expect(value(controller, "carve_job_duration_seconds_sum", { kind: "vm.create", outcome: "succeeded" })).toBeGreaterThan(0);
  // One small VM (1 vCPU, 512 MiB) is left holding capacity.
  expect(value(controller, "carve_host_vcpus_allocated", { host: "host-1" })).toBe(1);
  expect(value(controller, "carve_host_memory_allocated_bytes", { host: "host-1" })).toBe(512 * 1024 * 1024);

  const attempts = (families: Map<string, TFamily>, job: string) => value(families, "carve_agent_jobs_total", { job, outcome: "succeeded" });
  expect(attempts(agent, "vm.create") - attempts(agentBefore, "vm.create")).toBe(2);
  expect(attempts(agent, "vm.stop") - attempts(agentBefore, "vm.stop")).toBe(1);
  expect(attempts(agent, "vm.destroy") - attempts(agentBefore, "vm.destroy")).toBe(1);
  expect(value(agent, "carve_agent_job_duration_seconds_count", { job: "vm.create", outcome: "succeeded" })).toBeGreaterThanOrEqual(2);
});

it("the log level changes at runtime, in the controller and the agent, without a restart", async () => {
  const pids = [stack.controller?.child.pid, stack.agents.get(hostId)?.child.pid];
  const debugLinesOf = async (file: string, jobId: string) => (await logLines(file)).filter((l) => l.level === LEVEL.debug && l["jobId"] === jobId);

  // At info (LOG_LEVEL): a job leaves info lines with its id, no debug ones.
  const quiet = await createVm(stack.core, dev, { name: "q-1", template: "tiny", offering: "small" });
  await stack.finish(dev, quiet.job.id);
  await waitForLogLine(controllerLog, (l) => l.msg === "job finished" && l["jobId"] === quiet.job.id, "the controller's job finished line");
  await waitForLogLine(agentLog, (l) => l.msg === "job completed" && l["jobId"] === quiet.job.id, "the agent's job completed line");
  expect(await debugLinesOf(controllerLog, quiet.job.id)).toEqual([]);
  expect(await debugLinesOf(agentLog, quiet.job.id)).toEqual([]);

  const changed = (level: string) => (l: { msg: string; [k: string]: unknown }) => l.msg === "log level changed" && l["to"] === level;
  expect(await setLogLevel(stack.core, admin, { level: "debug" })).toEqual({ controller: "debug", agent: "debug" });
  await waitForLogLine(controllerLog, changed("debug"), "the controller switching to debug");
  await waitForLogLine(agentLog, changed("debug"), "the agent switching to debug");
  const loud = await createVm(stack.core, dev, { name: "d-1", template: "tiny", offering: "small" });
  await stack.finish(dev, loud.job.id);
  await waitForLogLine(controllerLog, (l) => l.level === LEVEL.debug && l.msg === "job result received" && l["jobId"] === loud.job.id, "a debug line of the job in the controller");
  await waitForLogLine(agentLog, (l) => l.level === LEVEL.debug && l.msg === "job started" && l["jobId"] === loud.job.id, "a debug line of the job in the agent");

  // Back to each process's LOG_LEVEL.
  await setLogLevel(stack.core, admin, { level: "default" });
  await waitForLogLine(controllerLog, changed("info"), "the controller back at info");
  await waitForLogLine(agentLog, changed("info"), "the agent back at info");
  const after = await createVm(stack.core, dev, { name: "q-2", template: "tiny", offering: "small" });
  await stack.finish(dev, after.job.id);
  await waitForLogLine(agentLog, (l) => l.msg === "job completed" && l["jobId"] === after.job.id, "the agent's job completed line");
  expect(await debugLinesOf(controllerLog, after.job.id)).toEqual([]);
  expect(await debugLinesOf(agentLog, after.job.id)).toEqual([]);

  expect([stack.controller?.child.pid, stack.agents.get(hostId)?.child.pid]).toEqual(pids);
  expect([stack.controller?.child.exitCode, stack.agents.get(hostId)?.child.exitCode]).toEqual([null, null]);
});
