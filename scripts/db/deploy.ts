/**
 * `npm run db:deploy`: creates the database named by DATABASE_URL if needed and applies the
 * pending migrations of prisma/migrations, recording them in `_prisma_migrations` as Prisma does.
 * Plain `pg`; no schema engine. Safe to run from several processes at once.
 */
import { applyMigrations, MigrationError, redact } from "../../packages/db/src/migrate.ts";
import { databaseUrlFromEnv } from "./env.ts";

async function main(): Promise<void> {
  const url = databaseUrlFromEnv();
  const started = performance.now();
  const result = await applyMigrations(url, { log: (line) => console.log(line) });
  const ms = Math.round(performance.now() - started);
  console.log(
    result.applied.length === 0
      ? `${redact(url)} is up to date (${result.alreadyApplied} migration(s) applied earlier; ${ms} ms).`
      : `Applied ${result.applied.length} migration(s) to ${redact(url)} in ${ms} ms.`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof MigrationError) {
    console.error(`db:deploy: ${err.message}`);
  } else {
    const e = err as { code?: string; message?: string };
    const hint =
      e.code === "ECONNREFUSED"
        ? " Is PostgreSQL running? (pg_ctlcluster 15 main start) Is DATABASE_URL right?"
        : "";
    console.error(`db:deploy failed: ${e.message ?? String(err)}.${hint}`);
  }
  process.exit(1);
});
