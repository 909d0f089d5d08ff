/**
 * @carve/db: the one Prisma client for prisma/schema.prisma.
 * The client in ./generated is built by `npm run db:generate` (it is not committed).
 * Migrations: "@carve/db/migrate"; throwaway test databases: "@carve/db/testing".
 */
import { PrismaPg } from "@prisma/adapter-pg";
import type { ITXClientDenyList } from "@prisma/client/runtime/client";

import { Prisma, PrismaClient, type User } from "./generated/client.ts";

export * from "./generated/client.ts";

/**
 * Columns no query returns unless it asks for them (`omit: { passwordHash: false }` or `select`):
 * a password hash is read only where a password is checked, so no view, log or error can carry it.
 */
const OMIT = { user: { passwordHash: true } } as const satisfies Prisma.GlobalOmitConfig;

export type Db = PrismaClient<never, typeof OMIT>;
/** A user as every query returns it unless it asks for the hash. */
export type UserRecord = Omit<User, "passwordHash">;
/** The client inside an interactive transaction (`db.$transaction(async (tx) => …)`). */
export type Tx = Omit<Db, ITXClientDenyList>;

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
  return new PrismaClient({ adapter, omit: OMIT, transactionOptions: { maxWait: 10_000, timeout: 20_000 } });
}
