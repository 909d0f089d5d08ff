import { CarveError } from "./carve-error.ts";

/** Prisma's P2028: an interactive transaction could not start (no pooled connection came free in time). */
export function isTransactionStartTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2028";
}

/** What the caller reads when the database was too busy to take the request: nothing happened, retry. */
export function databaseBusy(action: string): CarveError {
  return new CarveError("BUSY", `Carve is handling too many requests at once and could not ${action}; nothing was changed. Try again in a few seconds.`);
}
