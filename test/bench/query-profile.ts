import type { Db } from "@carve/db";

/** Time spent per Prisma operation (`Model.operation`, or `$executeRaw`…), in ms. */
export class QueryProfile {
  readonly samples = new Map<string, number[]>();
  enabled = true;

  record(name: string, ms: number): void {
    if (!this.enabled) return;
    const list = this.samples.get(name) ?? [];
    list.push(ms);
    this.samples.set(name, list);
  }

  reset(): void {
    this.samples.clear();
  }

  /** Operations by total time, most first. */
  top(limit = 8): { name: string; calls: number; totalMs: number; meanMs: number }[] {
    return [...this.samples.entries()]
      .map(([name, list]) => {
        const totalMs = list.reduce((a, b) => a + b, 0);
        return { name, calls: list.length, totalMs, meanMs: totalMs / list.length };
      })
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, limit);
  }
}

/**
 * The same client, timing every operation it runs (inside interactive transactions too) through a
 * Prisma query extension: what each query costs as core sees it (round trip, the client's own
 * work, and any wait for a row lock). The cast is the price of the extension's wider type; the
 * use-cases only call the methods every client has.
 */
export function profiled(db: Db, profile: QueryProfile): Db {
  return db.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const start = performance.now();
        try {
          return await query(args);
        } finally {
          profile.record(model ? `${model}.${operation}` : operation, performance.now() - start);
        }
      },
    },
  }) as unknown as Db;
}
