import { readFile } from 'node:fs/promises';
import { sleep } from './run.ts';

export async function readConsoleLog(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/**
 * Polls a serial console log until a line matches, resolving with that line and how long it
 * took; rejects after timeoutMs with the log's tail, which is what one needs to see to debug.
 */
export async function waitForConsoleLine(
  path: string,
  match: RegExp | string,
  timeoutMs = 60_000,
): Promise<{ line: string; elapsedMs: number }> {
  const started = performance.now();
  const test = (line: string): boolean => (typeof match === 'string' ? line.includes(match) : match.test(line));
  let text = '';
  while (performance.now() - started < timeoutMs) {
    text = await readConsoleLog(path);
    const line = text.split(/\r?\n/).find(test);
    if (line !== undefined) return { line: line.trim(), elapsedMs: Math.round(performance.now() - started) };
    await sleep(200);
  }
  const tail = text.split(/\r?\n/).slice(-15).join('\n') || '(empty or missing)';
  throw new Error(`No console line matching ${String(match)} in ${path} after ${timeoutMs} ms; the log ends with:\n${tail}`);
}
