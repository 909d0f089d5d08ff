import { ZJobProgress, type TJobName, type TJobPayloadParsed, type TJobProgress, type TJobResult, type TSealed } from "@carve/protocol";
import type { ConsoleListener } from "../console/console-listener.ts";
import type { SeedStore } from "../cloud-init/seed-store.ts";
import { openJobSecret, type THostKey } from "../host-key.ts";
import type { THypervisor } from "../hypervisor/hypervisor.ts";
import type { KeyedLock } from "../jobs/keyed-lock.ts";
import type { Logger } from "../logger.ts";
import type { VolumeReceiver } from "../storage-migration/receiver.ts";

/** The handlers' timing knobs; tests shorten them. */
export interface THandlerTiming {
  /** How often to poll a domain that is shutting down. */
  pollIntervalMs: number;
  /** vm.reboot waits this long for the guest to power off before forcing it. */
  rebootGracefulTimeoutSec: number;
}

/** Production timing. */
export const HANDLER_TIMING: THandlerTiming = { pollIntervalMs: 500, rebootGracefulTimeoutSec: 60 };

/** The long-lived things every job on this host shares, made once when the agent starts. */
export interface TJobServices extends THandlerTiming {
  hypervisor: THypervisor;
  log: Logger;
  /** Serialises jobs of the same VM. */
  lock: KeyedLock;
  /** The host's key pair: job secrets are sealed to it. */
  hostKey: THostKey;
  /** The cloud-init seed ISOs of this host's VMs. */
  seeds: SeedStore;
  /** Whether the control plane asked to cancel the job of this id (its key in this host's key space); absent: jobs are never cancelled. */
  cancelRequested?: ((jobId: string) => Promise<boolean>) | undefined;
  /** Receives volume streams from other hosts (storage migration); absent when the agent runs without one. */
  volumeReceiver?: VolumeReceiver | undefined;
  /** Serves consoles (issue 18); absent when the agent runs without a console listener. */
  consoleListener?: ConsoleListener | undefined;
}

/** What a handler may use: the host's services bound to its one job. */
export interface THandlerContext extends THandlerTiming, Pick<TJobServices, "hypervisor" | "seeds" | "volumeReceiver" | "consoleListener"> {
  /** The agent's logger with the job's id and name. */
  log: Logger;
  /** Reports progress on the job (BullMQ job.updateProgress). */
  reportProgress(progress: TJobProgress): Promise<void>;
  /** Opens a secret core sealed to this host's key for `purpose` (default: job secrets); a refusal when it cannot. */
  openSecret(sealed: TSealed, purpose?: string): string;
  /** True once the control plane asked to cancel this job (long jobs poll it: a live migration). */
  cancelRequested(): Promise<boolean>;
}

/** The job a context is made for: the part of a BullMQ job the handler's context needs. */
export interface TContextJob {
  id?: string | undefined;
  name: string;
  updateProgress(progress: TJobProgress): Promise<unknown>;
}

/** The one place a handler's context is made: `services` bound to `job` (its log fields, its progress, its cancel key). */
export function handlerContext(services: TJobServices, job: TContextJob): THandlerContext {
  const { cancelRequested } = services;
  return {
    hypervisor: services.hypervisor,
    log: services.log.child({ jobId: job.id, job: job.name }),
    pollIntervalMs: services.pollIntervalMs,
    rebootGracefulTimeoutSec: services.rebootGracefulTimeoutSec,
    openSecret: (sealed, purpose) => openJobSecret(services.hostKey, sealed, purpose),
    seeds: services.seeds,
    cancelRequested: async () => (cancelRequested && job.id ? cancelRequested(job.id) : false),
    volumeReceiver: services.volumeReceiver,
    consoleListener: services.consoleListener,
    reportProgress: async (progress) => {
      await job.updateProgress(ZJobProgress.parse(progress));
    },
  };
}

/** One job's handler: validated payload in, result (validated by the caller) out. */
export type TJobHandler<N extends TJobName> = (payload: TJobPayloadParsed<N>, ctx: THandlerContext) => Promise<TJobResult<N>>;
