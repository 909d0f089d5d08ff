/**
 * A unique-constraint violation: another request got there first. Prisma's own queries report it
 * as P2002; raw queries as P2010 carrying PostgreSQL's code 23505 from the driver adapter.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  if (error.code === "P2002") return true;
  if (error.code !== "P2010" || !("meta" in error)) return false;
  const cause: unknown = (error.meta as { driverAdapterError?: { cause?: unknown } } | undefined)?.driverAdapterError?.cause;
  return typeof cause === "object" && cause !== null && "originalCode" in cause && cause.originalCode === "23505";
}
