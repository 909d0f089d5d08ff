import { finaliseJob, listLiveHostIds, recordJobProgress, settleJob, type TCore } from "@carve/core";

/**
 * Keeps one live listener per host queue, so results and progress reach the database as soon as
 * agents report them. The periodic sweep covers whatever a listener misses.
 */
export class HostListeners {
  private readonly active = new Map<string, () => Promise<void>>();

  constructor(private readonly core: TCore) {}

  /** Starts listening to new hosts and stops listening to removed ones. */
  async sync(): Promise<void> {
    const wanted = new Set(await listLiveHostIds(this.core));
    for (const id of wanted) {
      if (this.active.has(id)) continue;
      const stop = await this.core.queues.listen(id, {
        onProgress: (jobId, progress) => {
          this.core.log.debug({ jobId, hostId: id, progress }, "job progress");
          this.guard(jobId, () => recordJobProgress(this.core, jobId, progress));
        },
        // The result travels with the notification: no need to read it back from Redis.
        onCompleted: (jobId, result) => {
          this.core.log.debug({ jobId, hostId: id }, "job result received");
          this.guard(jobId, () => finaliseJob(this.core, jobId, { ok: true, result }));
        },
        onSettled: (jobId) => this.guard(jobId, () => settleJob(this.core, jobId)),
      });
      this.active.set(id, stop);
    }
    for (const [id, stop] of this.active) {
      if (wanted.has(id)) continue;
      this.active.delete(id);
      await stop();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.active.values()].map((stop) => stop()));
    this.active.clear();
  }

  private guard(jobId: string, work: () => Promise<unknown>): void {
    work().catch((err: unknown) => this.core.log.error({ jobId, err }, "could not record a job update; the sweep will retry"));
  }
}
