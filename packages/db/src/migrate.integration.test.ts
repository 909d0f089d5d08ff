import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { newMigration } from "../../../scripts/db/new-migration.ts";
import {
  applyMigrations,
  defaultMigrationsDir,
  MigrationError,
  quoteIdent,
  readMigrations,
  withDatabase,
} from "./migrate.ts";
import { createTestDatabase } from "./testing.ts";

const BASE_URL = process.env["CARVE_TEST_DATABASE_URL"]?.trim() || "postgresql://root@localhost/postgres?host=/var/run/postgresql";
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A database name that does not exist yet; dropped after the suite (the testing sweeper's pattern). */
function freshDatabaseUrl(): string {
  const name = `carve_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
  cleanups.push(() => sql(withDatabase(BASE_URL, "postgres"), `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).then(() => {}));
  return withDatabase(BASE_URL, name);
}

async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "carve-migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(defaultMigrationsDir(), dir, { recursive: true });
  return dir;
}

async function tables(url: string): Promise<string[]> {
  const rows = await sql<{ table_name: string }>(
    url,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  return rows.map((r) => r.table_name);
}

describe("applyMigrations", () => {
  it("creates a missing database and every table, recording each migration as Prisma does", async () => {
    const url = freshDatabaseUrl();
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);

    const result = await applyMigrations(url);

    expect(result.databaseCreated).toBe(true);
    expect(result.applied).toEqual(migrations.map((m) => m.name));
    expect(await tables(url)).toEqual(
      expect.arrayContaining(["User", "Host", "StoragePool", "Template", "Vm", "Volume", "Job", "Event", "_prisma_migrations"]),
    );
    const rows = await sql<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; rolled_back_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count, r.rolled_back_at])).toEqual(
      migrations.map((m) => [m.name, m.checksum, 1, null]),
    );
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
  });

  it("is a no-op the second time", async () => {
    const url = freshDatabaseUrl();
    await applyMigrations(url);
    const before = await sql(url, 'SELECT * FROM "_prisma_migrations" ORDER BY id');

    const again = await applyMigrations(url);

    expect(again).toMatchObject({ applied: [], databaseCreated: false });
    expect(again.alreadyApplied).toBe(before.length);
    expect(await sql(url, 'SELECT * FROM "_prisma_migrations" ORDER BY id')).toEqual(before);
  });

  it("lets concurrent deployers race: the migrations are applied exactly once", async () => {
    const url = freshDatabaseUrl();
    const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);

    const migrations = await readMigrations();
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.name).sort());
    expect(await sql(url, 'SELECT 1 FROM "_prisma_migrations"')).toHaveLength(migrations.length);
  });

  it("refuses to run when an applied migration's file was edited, naming it and the fix", async () => {
    const url = freshDatabaseUrl();
    const dir = await copyOfMigrations();
    await applyMigrations(url, { migrationsDir: dir });
    const [first] = await readMigrations(dir);
    if (!first) throw new Error("no migrations to edit");
    const file = path.join(dir, first.name, "migration.sql");
    await writeFile(file, `${await readFile(file, "utf8")}\nCREATE TABLE "Sneaky" (id int);\n`);

    const attempt = applyMigrations(url, { migrationsDir: dir });

    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(new RegExp(`${first.name} changed after it was applied.*new migration`, "s"));
    expect(await tables(url)).not.toContain("Sneaky");
  });

  it("accepts a migration whose line endings git converted to CRLF", async () => {
    const url = freshDatabaseUrl();
    const dir = await copyOfMigrations();
    await applyMigrations(url, { migrationsDir: dir });
    for (const m of await readMigrations(dir)) {
      await writeFile(path.join(dir, m.name, "migration.sql"), m.sql.replaceAll("\n", "\r\n"));
    }

    await expect(applyMigrations(url, { migrationsDir: dir })).resolves.toMatchObject({ applied: [] });
  });

  it("rolls a failing migration back entirely and says which one and why", async () => {
    const url = freshDatabaseUrl();
    const dir = await copyOfMigrations();
    await mkdir(path.join(dir, "99990101000000_broken"));
    await writeFile(
      path.join(dir, "99990101000000_broken", "migration.sql"),
      'CREATE TABLE "HalfDone" (id int);\nALTER TABLE "NoSuchTable" ADD COLUMN x int;\n',
    );

    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(
      /Migration 99990101000000_broken failed.*relation "NoSuchTable" does not exist.*Nothing of it was applied/,
    );
    expect(await tables(url)).not.toContain("HalfDone");
    const recorded = await sql<{ migration_name: string }>(url, 'SELECT migration_name FROM "_prisma_migrations"');
    expect(recorded.map((r) => r.migration_name)).not.toContain("99990101000000_broken");
  });
});

describe("prisma/migrations", () => {
  it("covers every change in prisma/schema.prisma (else run: npm run db:migrate:new -- NAME)", async () => {
    const dir = await copyOfMigrations();
    const pending = await newMigration("pending_schema_changes", BASE_URL, { migrationsDir: dir });
    expect(pending?.sql ?? "").toBe("");
  });
});

describe("createTestDatabase", () => {
  it("hands out isolated, fully migrated databases and drops them", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    cleanups.push(a.drop, b.drop);

    await a.db.host.create({ data: { name: "host-a", uri: "test:///default" } });

    expect(a.url).not.toBe(b.url);
    expect(await a.db.host.count()).toBe(1);
    expect(await b.db.host.count()).toBe(0);
    expect(await b.db.vm.count()).toBe(0);

    await a.drop();
    const name = new URL(a.url).pathname.slice(1);
    expect(await sql(withDatabase(BASE_URL, "postgres"), "SELECT 1 FROM pg_database WHERE datname = $1", [name])).toHaveLength(0);
  });

  it("copes with many workers asking at once", async () => {
    const dbs = await Promise.all(Array.from({ length: 6 }, () => createTestDatabase()));
    cleanups.push(...dbs.map((d) => d.drop));
    expect(new Set(dbs.map((d) => d.url)).size).toBe(6);
    await Promise.all(dbs.map(async (d) => expect(await d.db.user.count()).toBe(0)));
  });
});
