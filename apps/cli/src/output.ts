import { toCarveError } from "@carve/core";
import { cliIo } from "./cli-io.ts";

/** How a command prints: a table for people, JSON for scripts (`--json`). */
export interface TOutput {
  json: boolean;
  /** Prints a result: `data` as JSON, or the human lines. */
  result(data: unknown, human: () => string[]): void;
  /** Progress for people, on stderr so stdout stays parseable. */
  progress(line: string): void;
}

export function createOutput(json: boolean): TOutput {
  return {
    json,
    result(data, human) {
      cliIo().stdout.write(json ? `${JSON.stringify(data, jsonReplacer, 2)}\n` : `${human().join("\n")}\n`);
    },
    progress(line) {
      if (!json) cliIo().stderr.write(`${line}\n`);
    },
  };
}

/** BigInt and Date as JSON. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Prints an error on stderr (as JSON with --json) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const carve = toCarveError(error);
  if (carve.code === "INTERNAL") cliIo().stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  cliIo().stderr.write(json ? `${JSON.stringify({ error: carve.toJSON() })}\n` : `error: ${carve.message}\n`);
  return 1;
}

/** An instant as ISO text, whether it came as a Date (local) or as text (the REST API); undefined for none. */
export const iso = (at: Date | string | null | undefined) => (at === null || at === undefined ? undefined : new Date(at).toISOString());

/** A plain text table with aligned columns. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string[] {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd());
}
