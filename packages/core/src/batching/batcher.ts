/** What one item of a batch came to: its value, or the error that item alone failed with. */
export type TBatchOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Natural batching (group commit): items submitted while a batch is being written wait and go
 * together in the next one. A lone item runs at once, with no timer and no added latency; under a
 * burst one round trip (one transaction, one statement) carries many items, so the cost per item
 * falls as the load rises. `run` answers every item (in order) or throws, which fails them all.
 */
export class Batcher<I, O> {
  private readonly waiting: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<TBatchOutcome<O>[]>,
    private readonly options: { maxBatch: number; concurrency?: number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Items submitted in the same turn of the event loop join the same batch.
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.running < (this.options.concurrency ?? 1) && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.running += 1;
      Promise.resolve()
        .then(() => this.run(batch.map((b) => b.item))) // a run that throws at once fails its batch, not the batcher
        .then(
          (outcomes) =>
            batch.forEach((b, i) => {
              const outcome = outcomes[i];
              if (outcome === undefined) b.reject(new Error("a batch answered fewer items than it was given"));
              else if (outcome.ok) b.resolve(outcome.value);
              else b.reject(outcome.error);
            }),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }
}

/** The owner's own map in a registry of per-owner maps, made on first use. */
function ownMap<V>(registry: WeakMap<object, Map<string, V>>, owner: object): Map<string, V> {
  let own = registry.get(owner);
  if (!own) registry.set(owner, (own = new Map()));
  return own;
}

const batchers = new WeakMap<object, Map<string, Batcher<never, unknown>>>();

/**
 * The batcher named `name` for this owner (a database client: one per core instance, so separate
 * cores never share a batch), made on first use.
 */
export function batcherOf<I, O>(owner: object, name: string, make: () => Batcher<I, O>): Batcher<I, O> {
  const byName = ownMap(batchers, owner);
  let batcher = byName.get(name) as Batcher<I, O> | undefined;
  if (!batcher) byName.set(name, (batcher = make()) as unknown as Batcher<never, unknown>);
  return batcher;
}

const inFlight = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * One load for concurrent asks of the same key (per owner, as batcherOf): a burst of creates that
 * all name template `tiny` reads it once, not once each. Nothing is kept once the load settles: an
 * ask that joins a load in flight gets an answer at most that load's age old (milliseconds), as if
 * it had come a moment earlier; a later ask loads afresh.
 */
export function sharedLoad<T>(owner: object, key: string, load: () => Promise<T>): Promise<T> {
  const byKey = ownMap(inFlight, owner);
  const running = byKey.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = load().finally(() => byKey.delete(key));
  byKey.set(key, started);
  return started;
}
