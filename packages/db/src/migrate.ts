/**
 * Applies prisma/migrations with plain `pg`, no schema engine needed at runtime, and records them
 * in `_prisma_migrations` exactly as Prisma's engine does, so `prisma migrate deploy|status` on a
 * machine with the native engine agrees with what ran here.
 *
 * Differences from the native engine, on purpose: each migration runs in a transaction (a failure
 * leaves no half-applied migration and no "failed" row behind, so fixing the file and re-running
 * is enough; the flip side is that `CREATE INDEX CONCURRENTLY` and friends cannot be used), and
 * an applied migration whose file has changed is refused instead of silently ignored.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import pg from "pg";

/** The repository's prisma/migrations (resolved lazily: bundlers may rewrite import.meta.url). */
export function defaultMigrationsDir(): string {
  return fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));
}

/** The key Prisma's own engine takes (pg_advisory_lock(72707369)), so we also exclude it. */
export const MIGRATION_LOCK_KEY = 72707369;

export type Migration = {
  /** Directory name, e.g. `20261127043938_init`; migrations apply in this (lexical) order. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, as Prisma stores it. */
  checksum: string;
};

export type ApplyResult = { applied: string[]; alreadyApplied: number; databaseCreated: boolean };

export type ApplyOptions = {
  migrationsDir?: string;
  log?: (line: string) => void;
};

/** Thrown when the database's migration history and the migrations folder disagree. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Prisma accepts a checksum computed over either line-ending convention (git may convert them). */
export function checksumMatches(sql: string, checksum: string): boolean {
  return [sql, sql.replaceAll("\r\n", "\n"), sql.replaceAll("\r\n", "\n").replaceAll("\n", "\r\n")].some(
    (variant) => sha256Hex(variant) === checksum,
  );
}

export async function readMigrations(dir: string = defaultMigrationsDir()): Promise<Migration[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, "migration.sql");
      let sql: string;
      try {
        sql = await readFile(file, "utf8");
      } catch {
        throw new MigrationError(`${file} is missing: every folder in ${dir} must hold a migration.sql`);
      }
      return { name, sql, checksum: sha256Hex(sql) };
    }),
  );
}

/** One checksum over the whole history: changes when any migration is added, removed or edited. */
export function historyChecksum(migrations: readonly Migration[]): string {
  return sha256Hex(migrations.map((m) => `${m.name}:${m.checksum}`).join("\n"));
}

export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!name) throw new MigrationError(`The database URL names no database: ${redact(databaseUrl)}`);
  return name;
}

export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function redact(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = "***";
  return url.toString();
}

/** Creates the database if it does not exist (connecting to the server's `postgres` database). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  const admin = new pg.Client({ connectionString: withDatabase(databaseUrl, "postgres") });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      // Another deployer created it between our check and our CREATE.
      const code = (err as { code?: string }).code;
      if (code === "42P04" || code === "23505") return false;
      throw err;
    }
  } finally {
    await admin.end();
  }
}

// Byte for byte the table Prisma's schema engine creates on PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

type MigrationRow = {
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
};

/**
 * Applies the pending migrations of `migrationsDir` (default: the repository's prisma/migrations)
 * to the database at `databaseUrl`, creating the database first if needed. Safe to run from
 * several processes at once: they queue on an advisory lock and all but the first find nothing
 * to do.
 */
export async function applyMigrations(databaseUrl: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.migrationsDir);
  const databaseCreated = await ensureDatabase(databaseUrl);
  if (databaseCreated) log(`Created database ${databaseName(databaseUrl)}`);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<MigrationRow>(
      `SELECT migration_name, checksum, started_at, finished_at, rolled_back_at, logs
         FROM "_prisma_migrations" ORDER BY started_at`,
    );
    const applied = checkHistory(rows, migrations, databaseUrl);

    const pending = migrations.filter((m) => !applied.has(m.name));
    for (const migration of pending) {
      const started = performance.now();
      await applyOne(client, migration);
      log(`Applied ${migration.name} in ${Math.round(performance.now() - started)} ms`);
    }
    return { applied: pending.map((m) => m.name), alreadyApplied: applied.size, databaseCreated };
  } finally {
    // Closing the session releases the advisory lock even if the unlock is never sent.
    await client.end();
  }
}

function checkHistory(rows: MigrationRow[], migrations: Migration[], databaseUrl: string): Set<string> {
  const where = redact(databaseUrl);
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    const details = failed
      .map((r) => `  ${r.migration_name} (started ${r.started_at.toISOString()})${r.logs ? `: ${r.logs.trim()}` : ""}`)
      .join("\n");
    throw new MigrationError(
      `${where} has failed migrations recorded, so no new ones were applied:\n${details}\n` +
        `Repair the database by hand, then mark each one with ` +
        `\`prisma migrate resolve --rolled-back NAME\` (or delete its row from _prisma_migrations).`,
    );
  }
  const byName = new Map(migrations.map((m) => [m.name, m]));
  const applied = new Set<string>();
  const edited: string[] = [];
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue;
    applied.add(row.migration_name);
    const file = byName.get(row.migration_name);
    if (file && !checksumMatches(file.sql, row.checksum)) edited.push(row.migration_name);
  }
  if (edited.length > 0) {
    throw new MigrationError(
      `Refusing to migrate ${where}: ${edited.length === 1 ? "migration" : "migrations"} ` +
        `${edited.join(", ")} changed after ${edited.length === 1 ? "it was" : "they were"} applied ` +
        `(checksum of migration.sql differs from _prisma_migrations). Restore the original file ` +
        `(git checkout prisma/migrations) and put the change in a new migration ` +
        `(npm run db:migrate:new -- NAME).`,
    );
  }
  return applied;
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count)
       VALUES ($1, $2, date_trunc('milliseconds', clock_timestamp()), $3, 0)`,
      [id, migration.checksum, migration.name],
    );
    // No parameters: pg sends the file with the simple-query protocol, which runs every statement.
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations"
          SET applied_steps_count = applied_steps_count + 1,
              finished_at = date_trunc('milliseconds', clock_timestamp())
        WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    const e = err as { message?: string; position?: string };
    const at = e.position ? ` at ${lineOf(migration.sql, Number(e.position))}` : "";
    throw new MigrationError(
      `Migration ${migration.name} failed${at}: ${e.message ?? String(err)}. ` +
        `Nothing of it was applied (it ran in a transaction); fix migration.sql and deploy again.`,
      { cause: err },
    );
  }
}

function lineOf(sql: string, position: number): string {
  return `line ${sql.slice(0, Math.max(0, position - 1)).split("\n").length}`;
}
