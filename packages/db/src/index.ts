/**
 * @carve/db: the one Prisma client for prisma/schema.prisma, plus transaction helpers.
 * The client in ./generated is built by `npm run db:generate` (it is not committed).
 * Migrations: "@carve/db/migrate"; throwaway test databases: "@carve/db/testing".
 */
import { PrismaPg } from "@prisma/adapter-pg";

import { Prisma, PrismaClient } from "./generated/client.ts";

export * from "./generated/client.ts";

export type Db = PrismaClient;
/** The client inside an interactive transaction (`db.$transaction(async (tx) => …)`). */
export type Tx = Prisma.TransactionClient;
export type TxIsolation = Prisma.TransactionIsolationLevel;

export type CreateDbOptions = {
  /** Connections in this process's pool (pg's default is 10). */
  poolSize?: number;
};

export function createDb(databaseUrl: string, options: CreateDbOptions = {}): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    ...(options.poolSize ? { max: options.poolSize } : {}),
  });
  // Under a burst of creates, transactions queue for a pooled connection: wait for one rather than fail.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 20_000 } });
}

export type TxOptions = {
  /** Default Serializable: the retry loop below is what makes that practical. */
  isolation?: TxIsolation;
  /** Extra attempts after a serialization failure or deadlock (default 5). */
  retries?: number;
  /** ms to wait for a pooled connection / for the whole transaction (Prisma's maxWait, timeout). */
  maxWait?: number;
  timeout?: number;
};

const RETRYABLE_CODES = new Set(["P2034", "40001", "40P01"]);

/** True for serialization failures and deadlocks: the transaction can simply be run again. */
export function isRetryableTxError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, meta, cause } = e as { code?: unknown; meta?: { code?: unknown }; cause?: unknown };
    if (typeof code === "string" && RETRYABLE_CODES.has(code)) return true;
    if (typeof meta?.code === "string" && RETRYABLE_CODES.has(meta.code)) return true;
    if ((e as { kind?: unknown }).kind === "TransactionWriteConflict") return true;
    e = cause;
  }
  return false;
}

/**
 * Runs `fn` in an interactive transaction (Serializable unless told otherwise) and re-runs it
 * when PostgreSQL aborts it for a serialization failure or deadlock (P2034 / 40001 / 40P01).
 * `fn` may therefore run more than once: keep side effects (enqueueing jobs, HTTP calls) out of
 * it and do them after it returns.
 */
export async function withTx<T>(db: Db, fn: (tx: Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
  const { isolation = Prisma.TransactionIsolationLevel.Serializable, retries = 5 } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(fn, {
        isolationLevel: isolation,
        ...(options.maxWait !== undefined ? { maxWait: options.maxWait } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      });
    } catch (err) {
      if (attempt >= retries || !isRetryableTxError(err)) throw err;
      // Jittered exponential backoff so the contenders stop colliding: ~5, 10, 20, 40… ms.
      await new Promise((r) => setTimeout(r, (5 << attempt) * (0.5 + Math.random())));
    }
  }
}
