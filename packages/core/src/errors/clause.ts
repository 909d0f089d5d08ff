/**
 * A message as a clause inside a longer one: without its final full stop, so that
 * "failed: ${clause(why)}. Retry…" never reads "changed.. Retry" when `why` (an agent's or an
 * abandoned job's message) is already a sentence.
 */
export const clause = (message: string): string => message.replace(/[\s.]+$/, "");
