import type { TJobName, TJobPayloadParsed, TJobProgress, TJobResult, TSealed } from "@carve/protocol";
import type { ConsoleListener } from "../console/console-listener.ts";
import type { SeedStore } from "../cloud-init/seed-store.ts";
import type { Hypervisor } from "../hypervisor/hypervisor.ts";
import type { Logger } from "../logger.ts";
import type { VolumeReceiver } from "../storage-migration/receiver.ts";

/** What a handler may use: the hypervisor, a progress reporter, a logger and timing knobs. */
export interface HandlerContext {
  hypervisor: Hypervisor;
  /** Reports progress on the job (BullMQ job.updateProgress). */
  reportProgress(progress: TJobProgress): Promise<void>;
  log: Logger;
  /** How often to poll a domain that is shutting down. */
  pollIntervalMs: number;
  /** vm.reboot waits this long for the guest to power off before forcing it. */
  rebootGracefulTimeoutSec: number;
  /** Opens a secret core sealed to this host's key for `purpose` (default: job secrets); a refusal when it cannot. */
  openSecret(sealed: TSealed, purpose?: string): string;
  /** The cloud-init seed ISOs of this host's VMs. */
  seeds: SeedStore;
  /** True once the control plane asked to cancel this job (long jobs poll it: a live migration). */
  cancelRequested(): Promise<boolean>;
  /** Receives volume streams from other hosts (storage migration); absent when the agent runs without one. */
  volumeReceiver?: VolumeReceiver | undefined;
  /** Serves consoles (issue 18); absent when the agent runs without a console listener. */
  consoleListener?: ConsoleListener | undefined;
}

/** One job's handler: validated payload in, result (validated by the caller) out. */
export type JobHandler<N extends TJobName> = (payload: TJobPayloadParsed<N>, ctx: HandlerContext) => Promise<TJobResult<N>>;
