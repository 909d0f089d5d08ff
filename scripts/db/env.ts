/**
 * The database scripts' only configuration: DATABASE_URL, the database to migrate (deploy) or the
 * server to borrow throwaway databases from (new-migration). Parsed here once, as STYLE.md asks.
 */
export const DEFAULT_DATABASE_URL = "postgresql://root@localhost/carve?host=/var/run/postgresql";

export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env["DATABASE_URL"]?.trim() || DEFAULT_DATABASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`DATABASE_URL is not a URL; expected e.g. ${DEFAULT_DATABASE_URL}`);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new Error(`DATABASE_URL must start with postgresql://, got ${url.protocol}//…`);
  }
  if (url.pathname.length <= 1) {
    throw new Error(`DATABASE_URL names no database; expected e.g. ${DEFAULT_DATABASE_URL}`);
  }
  return raw;
}
