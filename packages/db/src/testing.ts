/**
 * Throwaway PostgreSQL databases for tests: the migrations are applied once to a template
 * database, and every test database is a copy of it (CREATE DATABASE … TEMPLATE, ~0.1–0.3 s).
 * Safe for many vitest workers and several test runs at once.
 */
import { randomBytes } from "node:crypto";

import pg from "pg";

import { createDb, type Db } from "./index.ts";
import { applyMigrations, historyChecksum, quoteIdent, readMigrations, withDatabase } from "./migrate.ts";

export const TEMPLATE_DATABASE = "carve_test_template";
const TEST_DATABASE_PREFIX = "carve_test_";
/** Advisory lock (taken in the server's `postgres` database) guarding the template. */
const TEMPLATE_LOCK_KEY = 72707370;
/** Test databases left behind by crashed runs are dropped once they are this old. */
const STALE_AFTER_MS = 12 * 3600_000;
const DEFAULT_BASE_URL = "postgresql://root@localhost/postgres?host=/var/run/postgresql";

export type TestDatabase = {
  url: string;
  db: Db;
  /** Disconnects the client, force-closes other sessions and drops the database. */
  drop(): Promise<void>;
};

/** Tests are the one place that reads process.env directly (STYLE.md). */
function baseUrl(): string {
  return process.env["CARVE_TEST_DATABASE_URL"]?.trim() || DEFAULT_BASE_URL;
}

async function adminClient(serverUrl: string): Promise<pg.Client> {
  // Advisory locks are per database: every caller must meet in the same one.
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  return client;
}

const templateMarker = (checksum: string) => `carve migrations ${checksum}`;

async function templateIsCurrent(admin: pg.Client, marker: string): Promise<boolean> {
  const { rows } = await admin.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [TEMPLATE_DATABASE],
  );
  return rows[0]?.comment === marker;
}

/** (Re)builds the template under the exclusive lock; the comment, written last, marks it complete. */
async function buildTemplate(admin: pg.Client, serverUrl: string, marker: string): Promise<void> {
  await admin.query("SELECT pg_advisory_lock($1)", [TEMPLATE_LOCK_KEY]);
  try {
    if (await templateIsCurrent(admin, marker)) return; // another worker just built it
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DATABASE)} WITH (FORCE)`);
    await applyMigrations(withDatabase(serverUrl, TEMPLATE_DATABASE));
    await admin.query(`COMMENT ON DATABASE ${quoteIdent(TEMPLATE_DATABASE)} IS ${admin.escapeLiteral(marker)}`);
  } finally {
    await admin.query("SELECT pg_advisory_unlock($1)", [TEMPLATE_LOCK_KEY]);
  }
}

async function sweepStale(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname ~ $1",
    [`^${TEST_DATABASE_PREFIX}[0-9]+_[0-9a-f]+$`],
  );
  for (const { datname } of rows) {
    const createdMs = Number(datname.slice(TEST_DATABASE_PREFIX.length).split("_")[0]);
    if (Date.now() - createdMs > STALE_AFTER_MS) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`).catch(() => {});
    }
  }
}

let swept = false;

const OBJECT_IN_USE = "55006"; // "source database … is being accessed by other users"

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = baseUrl();
  const marker = templateMarker(historyChecksum(await readMigrations()));
  const name = `${TEST_DATABASE_PREFIX}${Date.now()}_${randomBytes(4).toString("hex")}`;

  const admin = await adminClient(serverUrl);
  try {
    if (!swept) {
      swept = true;
      await sweepStale(admin);
    }
    for (let attempt = 0; ; attempt++) {
      // Shared lock: any number of workers may copy the template, none while it is rebuilt.
      await admin.query("SELECT pg_advisory_lock_shared($1)", [TEMPLATE_LOCK_KEY]);
      let current = false;
      try {
        current = await templateIsCurrent(admin, marker);
        if (current) {
          await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(TEMPLATE_DATABASE)}`);
          break;
        }
      } catch (err) {
        // Something (autovacuum, a stray psql) is connected to the template: try again shortly.
        if ((err as { code?: string }).code !== OBJECT_IN_USE || attempt >= 20) throw err;
      } finally {
        await admin.query("SELECT pg_advisory_unlock_shared($1)", [TEMPLATE_LOCK_KEY]);
      }
      if (current) await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      else await buildTemplate(admin, serverUrl, marker);
    }
  } finally {
    await admin.end();
  }

  const url = withDatabase(serverUrl, name);
  const db = createDb(url, { poolSize: 5 });
  let dropped = false;
  return {
    url,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.$disconnect();
      const client = await adminClient(serverUrl);
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
