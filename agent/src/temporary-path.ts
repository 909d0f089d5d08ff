import { randomBytes } from "node:crypto";

/**
 * A temporary file's path next to `path`, for writing a file whole before publishing it (rename or
 * link): its own for every call, so two writers, of one process or of two, never remove each other's.
 */
export function temporaryPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
}
