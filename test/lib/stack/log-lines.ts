import { readFile } from "node:fs/promises";
import { until } from "./stack.ts";

/** One pino line of a Carve process's log. */
export interface TLogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's numeric levels. */
export const LEVEL = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** The JSON lines of a process's log file (lines that are not JSON, e.g. a crash's stack, are skipped). */
export async function logLines(file: string): Promise<TLogLine[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return parsed && typeof parsed === "object" && "msg" in parsed ? [parsed as TLogLine] : [];
    } catch {
      return [];
    }
  });
}

/** Waits until the log has a line that `match` accepts; returns it. */
export async function waitForLogLine(file: string, match: (line: TLogLine) => boolean, what: string, timeoutMs = 15_000): Promise<TLogLine> {
  let found: TLogLine | undefined;
  await until(async () => (found = (await logLines(file)).find(match)) !== undefined, timeoutMs, `${what} in ${file}`);
  return found as TLogLine; // until() returned, so it was found
}
