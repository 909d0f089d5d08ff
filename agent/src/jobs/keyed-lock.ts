/**
 * Serialises work per key inside this process. BullMQ may hand the agent two jobs for the same VM
 * at once (a duplicate enqueue, a retry racing a stalled job); running them one after the other
 * lets the second see what the first did and converge instead of colliding. One agent runs per
 * host, so an in-process lock is enough.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier call with the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // The last holder cleans up, so the map does not grow with every VM ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Number of keys with work queued or running (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
