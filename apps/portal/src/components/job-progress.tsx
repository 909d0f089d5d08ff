"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { TJobJson, TVmJson } from "../api/schemas.ts";
import { StateBadge } from "./state-badge.tsx";
import { getJson, startPolling } from "./use-polling.ts";

const POLL_MS = 1000;

type TStepState = "done" | "active" | "waiting" | "failed";

/**
 * A create's progress, polled until the VM is Running or the job failed: accepted, placed on its
 * host, the agent's steps as it reports them (with its percentage), running. A failure shows the
 * job's actionable message.
 */
export function JobProgress({ initialJob, initialVm }: { initialJob: TJobJson; initialVm: TVmJson }) {
  const [job, setJob] = useState(initialJob);
  const [vm, setVm] = useState(initialVm);
  const [steps, setSteps] = useState<string[]>(initialJob.step ? [initialJob.step] : []);
  const failed = job.state === "Failed" || job.state === "Cancelled" || vm.state === "Error";
  const finished = failed || (job.state === "Succeeded" && vm.state === "Running");

  useEffect(() => {
    if (finished) return;
    let live = true;
    const stop = startPolling(POLL_MS, async () => {
      // The VM first, then its job, and both or neither: a create's job turns Succeeded in the same
      // statement that makes its VM Running, so a VM read as Running is never shown beside a job
      // read before it (still Queued: "Running" done while "Building" waits, the bar at 0).
      const nextVm = await getJson<TVmJson>(`/api/v1/vms/${vm.id}`);
      const nextJob = nextVm && (await getJson<TJobJson>(`/api/v1/jobs/${job.id}`));
      if (!live || !nextVm || !nextJob) return;
      setVm(nextVm);
      setJob(nextJob);
      const step = nextJob.step;
      if (step) setSteps((seen) => (seen.includes(step) ? seen : [...seen, step]));
    });
    return () => {
      live = false;
      stop();
    };
  }, [finished, job.id, vm.id]);

  const agentDone = job.state === "Succeeded";
  const list: { label: string; state: TStepState; detail?: string }[] = [
    { label: "Request accepted", state: "done" },
    { label: vm.host ? `Placed on host ${vm.host.name}` : "Choosing a host", state: vm.host ? "done" : "active" },
    {
      label: "Building the VM on its host",
      state: agentDone ? "done" : failed ? "failed" : job.state === "Running" ? "active" : "waiting",
      detail: job.state === "Queued" ? "waiting for the host's agent" : `${job.progress}%${job.step ? ` · ${job.step}` : ""}`,
    },
    { label: "Running", state: vm.state === "Running" ? "done" : failed ? "failed" : agentDone ? "active" : "waiting" },
  ];

  return (
    <section className="panel progress" aria-label="Progress" aria-live="polite" data-job-state={job.state}>
      <h2>Creating {vm.name} <StateBadge state={vm.state} /></h2>
      <div className="bar" role="progressbar" aria-label="Job progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={job.progress}>
        <span style={{ width: `${job.progress}%` }} />
      </div>
      <ol className="steps">
        {list.map((step) => (
          <li key={step.label} className={step.state} data-step-state={step.state}>
            {step.label}
            {step.detail && step.state !== "waiting" && <span className="muted"> — {step.detail}</span>}
          </li>
        ))}
      </ol>
      {steps.length > 0 && <p className="muted" data-testid="agent-steps">Steps reported by the host: {steps.join(" → ")}</p>}
      {failed && (
        <div className="alert" role="alert" data-code={job.errorCode ?? vm.state}>
          {job.errorMessage ?? vm.stateReason ?? `The job ended ${job.state}.`}
        </div>
      )}
      {finished && (
        <p className="actions">
          <Link href={`/vms/${vm.id}`} className="button primary">Open {vm.name}</Link>
          <Link href="/vms" className="button">My VMs</Link>
        </p>
      )}
    </section>
  );
}
