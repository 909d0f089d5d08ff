import { UnrecoverableError } from "bullmq";
import { z } from "zod";
import { JOB_NAMES, JOBS, PROTOCOL_VERSION, ZJobEnvelope, isJobName, type TJobName, type TJobPayloadParsed, type TJobProgress } from "@carve/protocol";
import { HANDLERS, handlerContext, type THandlerContext, type TJobServices } from "../handlers/index.ts";
import { toJobError } from "./job-errors.ts";

/** The part of a BullMQ job the agent uses (a real Job satisfies it). */
export interface TIncomingJob {
  id?: string | undefined;
  name: string;
  data: unknown;
  updateProgress(progress: TJobProgress): Promise<unknown>;
}

/**
 * Runs one job from the host's queue: checks the envelope and protocol version, validates the
 * payload again (core validated it when enqueueing, but the queue is a trust boundary), runs the
 * handler under the VM's lock and validates the result. Whatever goes wrong is thrown as
 * UnrecoverableError (fails at once) or a plain Error (BullMQ retries); see job-errors.ts.
 */
export async function processJob(job: TIncomingJob, services: TJobServices): Promise<unknown> {
  const name = job.name;
  if (!isJobName(name)) {
    throw new UnrecoverableError(`unknown job "${name}": this agent (protocol v${PROTOCOL_VERSION}) runs ${JOB_NAMES.join(", ")}`);
  }
  const envelope = ZJobEnvelope.safeParse(job.data);
  if (!envelope.success) {
    throw new UnrecoverableError(`job ${job.id} (${name}) is not a Carve job envelope: ${z.prettifyError(envelope.error)}`);
  }
  const { protocolVersion, payload: rawPayload } = envelope.data;
  if (protocolVersion !== PROTOCOL_VERSION) {
    const upgrade = protocolVersion > PROTOCOL_VERSION ? "upgrade this host's agent" : "upgrade the control plane";
    throw new UnrecoverableError(
      `protocol version mismatch: job ${job.id} (${name}) speaks protocol v${protocolVersion}, this agent speaks v${PROTOCOL_VERSION}; ${upgrade}`,
    );
  }
  return runHandler(name, rawPayload, job, services);
}

async function runHandler<N extends TJobName>(name: N, rawPayload: unknown, job: TIncomingJob, services: TJobServices): Promise<unknown> {
  // TS cannot narrow JOBS[N] for a generic N; the cast restates what the JOBS table guarantees.
  const payloadSchema = JOBS[name].payload as unknown as z.ZodType<TJobPayloadParsed<N>>;
  const parsed = payloadSchema.safeParse(rawPayload);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid ${name} payload in job ${job.id}: ${z.prettifyError(parsed.error)}`);
  }
  const payload = parsed.data;
  const ctx = handlerContext(services, job);
  const vmId = typeof payload === "object" && payload !== null && "vmId" in payload ? String(payload.vmId) : null;
  const handler = HANDLERS[name] as (p: TJobPayloadParsed<N>, c: THandlerContext) => Promise<unknown>;

  let result: unknown;
  try {
    result = vmId === null ? await handler(payload, ctx) : await services.lock.run(vmId, () => handler(payload, ctx));
  } catch (error) {
    throw toJobError(error);
  }
  const checked = JOBS[name].result.safeParse(result);
  if (!checked.success) {
    throw new UnrecoverableError(`agent bug: the ${name} result does not match the protocol: ${z.prettifyError(checked.error)}`);
  }
  return checked.data;
}
