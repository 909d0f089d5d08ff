/**
 * The one "log level changed" rule of every Carve process that follows `carve settings log-level`
 * (the agent imports only protocol, hence it lives here, with no pino import: any pino logger fits).
 */

type TLogFn = (fields: object, message: string) => void;

/** The part of a pino logger a level switch uses. */
export interface TSwitchableLogger {
  level: string;
  levels: { values: Record<string, number> };
  info: TLogFn;
  warn: TLogFn;
  error: TLogFn;
  fatal: TLogFn;
}

const LINE_LEVELS = ["info", "warn", "error", "fatal"] as const;

/**
 * Switches `log` to `level` and leaves a "log level changed" line that shows: written while the
 * more verbose of the two levels is in force (before a switch to a quieter level, after a switch
 * to a louder one), at info or, when that level hides info, at that level itself.
 */
export function switchLogLevel(log: TSwitchableLogger, level: string): void {
  const previous = log.level;
  if (previous === level) return;
  const rank = (name: string) => log.levels.values[name] ?? Number.POSITIVE_INFINITY; // "silent" is not in values
  const verbose = rank(level) < rank(previous) ? level : previous;
  const at = LINE_LEVELS.find((name) => rank(name) >= rank(verbose));
  const line = () => at && log[at]({ from: previous, to: level }, "log level changed");
  if (verbose === previous) line();
  log.level = level;
  if (verbose === level) line();
}
