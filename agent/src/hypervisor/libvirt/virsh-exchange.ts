import type { Writable } from "node:stream";

/** What virsh wrote for one command: stdout without echoed input and prompts, and raw stderr. */
export interface TVirshReply {
  stdout: string;
  stderr: string;
}

interface TPending {
  line: string;
  mark: string;
  resolve: (reply: TVirshReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The wire protocol of an interactive virsh, one command at a time. virsh reads stdin through
 * readline even when it is a pipe, so stdout interleaves prompts and echoed input with output:
 *
 *   PROMPT line\n OUTPUT PROMPT echo MARK\n MARK PROMPT echo --err MARK\n PROMPT
 *
 * and stderr carries the command's `error: …` lines followed by `error: MARK\n`. A reply is complete
 * once both marks (and the echoed `echo --err` line) have arrived.
 */
export class VirshExchange {
  private out = "";
  private err = "";
  private pending: TPending | null = null;
  private failure: Error | null = null;
  /** Called when a command has not answered in time: the owner fails the exchange and kills virsh. */
  onTimeout: (command: string, timeoutMs: number) => void = () => undefined;

  constructor(private readonly stdin: Writable) {}

  /** True once the exchange has failed; the owner must start a new process. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Writes one checked command line plus the two marks and waits for the reply. */
  send(line: string, mark: string, timeoutMs: number): Promise<TVirshReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.onTimeout(line.split(" ")[0] ?? line, timeoutMs), timeoutMs);
      this.pending = { line, mark, resolve, reject, timer };
      this.stdin.write(`${line}\necho ${mark}\necho --err ${mark}\n`);
    });
  }

  /** Feeds stdout data. */
  onStdout(chunk: string): void {
    this.out += chunk;
    this.settle();
  }

  /** Feeds stderr data. */
  onStderr(chunk: string): void {
    this.err += chunk;
    this.settle();
  }

  /** Rejects the pending command (if any) and every later one. */
  fail(error: Error): void {
    this.failure ??= error;
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) {
      clearTimeout(pending.timer);
      pending.reject(this.failure);
    }
  }

  /** The last stderr lines, to explain why virsh exited. */
  stderrTail(): string {
    const tail = this.err.trim().split("\n").slice(-3).join("; ");
    return tail === "" ? "" : `: ${tail}`;
  }

  private settle(): void {
    const pending = this.pending;
    if (pending === null) return;
    const outMark = `echo ${pending.mark}\n${pending.mark}`;
    const outAt = this.out.indexOf(outMark);
    if (outAt < 0) return;
    const errEcho = `echo --err ${pending.mark}\n`;
    const errEchoAt = this.out.indexOf(errEcho, outAt + outMark.length);
    const errMark = `error: ${pending.mark}\n`;
    const errAt = this.err.indexOf(errMark);
    if (errEchoAt < 0 || errAt < 0) return;
    const stdout = stripEchoedInput(this.out.slice(0, outAt), pending.line);
    const stderr = this.err.slice(0, errAt);
    this.out = this.out.slice(errEchoAt + errEcho.length);
    this.err = this.err.slice(errAt + errMark.length);
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve({ stdout, stderr });
  }
}

/** Drops `PROMPT line\n` from the front and the trailing `PROMPT` from the end of a reply. */
function stripEchoedInput(chunk: string, line: string): string {
  const at = chunk.indexOf(`${line}\n`);
  // Not echoed verbatim (a virsh that does not echo, or readline rewrapped it): the echo, if any,
  // is still the first line, and the prompt is whatever follows the last newline.
  if (at < 0) {
    const body = chunk.includes(`${line.slice(0, 20)}`) ? chunk.slice(chunk.indexOf("\n") + 1) : chunk;
    return body.slice(0, body.lastIndexOf("\n") + 1);
  }
  const prompt = chunk.slice(0, at);
  const body = chunk.slice(at + line.length + 1);
  return prompt !== "" && body.endsWith(prompt) ? body.slice(0, -prompt.length) : body;
}
