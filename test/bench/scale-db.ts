import { createDb, type Db } from "@carve/db";
import { createTestDatabase } from "@carve/db/testing";
import type { TActor } from "@carve/core";
import { onCleanup } from "./cleanup.ts";
import { seedScale, type TSeeded, type TSeedOptions } from "./seed-scale.ts";

export interface TScaleDb {
  url: string;
  /** A client like core's own (createDb with pg's default pool of 10, as createCore builds it). */
  db: Db;
  seeded: TSeeded;
  /** Actors for seeded users by username. */
  actor(username: string): Promise<Extract<TActor, { kind: "user" }>>;
}

/** A throwaway database from createTestDatabase(), seeded at scale, dropped at cleanup. */
export async function scaleDb(options: TSeedOptions): Promise<TScaleDb> {
  const database = await createTestDatabase();
  onCleanup(`drop the scale database`, () => database.drop());
  await database.db.$disconnect();
  const seeded = await seedScale(database.url, options);
  const db = createDb(database.url);
  onCleanup("disconnect from the scale database", () => db.$disconnect());
  return {
    url: database.url,
    db,
    seeded,
    async actor(username) {
      const user = await db.user.findUniqueOrThrow({ where: { username }, select: { id: true, role: true } });
      return { kind: "user", userId: user.id, username, role: user.role, via: "cli" };
    },
  };
}
