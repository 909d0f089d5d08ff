import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toVirshCommandLine } from "./virsh-args.ts";
import { VirshExchange, type TVirshReply } from "./virsh-exchange.ts";

/** A virsh command failed: `message` is virsh's stderr without the `error: ` prefixes. */
export class VirshCommandError extends Error {
  constructor(readonly argv: readonly string[], message: string) {
    super(message);
    this.name = "VirshCommandError";
  }
}

/** The session itself failed (virsh exited, hung or could not start): always worth a retry. */
export class VirshSessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VirshSessionError";
  }
}

/** Options of a {@link VirshSession}. */
export interface TVirshSessionOptions {
  uri: string;
  /** virsh binary; `virsh` from PATH by default. */
  virshPath?: string;
  /** A command that has not answered by then kills the session (it restarts on the next call). */
  commandTimeoutMs?: number;
}

/**
 * One long-lived interactive `virsh -q -c URI` per agent. libvirt's test:/// driver keeps its
 * state inside the process that opened it, so a fresh virsh per call would see a fresh node every
 * time; one session keeps one node (and on real hypervisors saves ~30 ms of connect per call).
 *
 * Each command line is checked word by word against the whitelist in virsh-args.ts, then written
 * to stdin followed by `echo MARK` and `echo --err MARK`; the answer is everything before the mark
 * on each stream. Calls run one at a time.
 */
export class VirshSession {
  private child: ChildProcessWithoutNullStreams | null = null;
  private exchange: VirshExchange | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly nonce = randomBytes(12).toString("hex");
  private counter = 0;
  private cache: string | null = null;

  constructor(private readonly options: TVirshSessionOptions) {}

  /**
   * Runs one command and returns its stdout.
   * @throws VirshArgumentError (nothing written), VirshCommandError (virsh said `error:`),
   *   VirshSessionError (the session died or hung).
   */
  run(argv: readonly string[]): Promise<string> {
    const line = toVirshCommandLine(argv);
    const result = this.tail.then(() => this.exchangeLine(argv, line));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Ends the session; pending calls still finish first. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const child = this.child;
    this.child = null;
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.cache !== null) rmSync(this.cache, { recursive: true, force: true });
  }

  /** A private cache directory for virsh (its history file), made on first start. */
  private cacheDir(): string {
    this.cache ??= mkdtempSync(join(tmpdir(), "carve-virsh-"));
    return this.cache;
  }

  private async exchangeLine(argv: readonly string[], line: string): Promise<string> {
    if (this.closed) throw new VirshSessionError("the virsh session is closed");
    const exchange = this.ensureStarted();
    const mark = `carve${this.nonce}n${++this.counter}`;
    const reply: TVirshReply = await exchange.send(line, mark, this.options.commandTimeoutMs ?? 120_000);
    const errors = reply.stderr
      .split("\n")
      .filter((l) => l.startsWith("error: "))
      .map((l) => l.slice("error: ".length));
    if (errors.length > 0) throw new VirshCommandError(argv, errors.join(": "));
    return reply.stdout;
  }

  private ensureStarted(): VirshExchange {
    if (this.exchange !== null && !this.exchange.failed && this.child?.exitCode === null) return this.exchange;
    this.child?.kill("SIGKILL");
    const child = spawn(this.options.virshPath ?? "virsh", ["-q", "-c", this.options.uri], {
      // TERM=dumb keeps readline from writing terminal escapes, a huge COLUMNS keeps it from
      // scrolling long lines when it echoes them, LC_ALL=C keeps messages in English. Interactive
      // virsh saves its command history (passwords of set-user-password included) under
      // $XDG_CACHE_HOME/libvirt/virsh/history when it exits: VIRSH_HISTSIZE=0 keeps none, and a
      // cache directory of the session's own leaves the host user's history alone.
      env: { ...process.env, TERM: "dumb", COLUMNS: "1000000", LC_ALL: "C", VIRSH_HISTSIZE: "0", XDG_CACHE_HOME: this.cacheDir() },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const exchange = new VirshExchange(child.stdin);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => exchange.onStdout(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => exchange.onStderr(chunk));
    child.stdin.on("error", () => undefined); // reported through "exit" instead
    child.on("error", (error) => exchange.fail(new VirshSessionError(`virsh could not start: ${error.message}`)));
    child.on("exit", (code, signal) => {
      exchange.fail(new VirshSessionError(`virsh session ended (${signal ?? `exit code ${code}`})${exchange.stderrTail()}`));
      if (this.child === child) this.child = null;
    });
    exchange.onTimeout = (command, timeoutMs) => {
      exchange.fail(new VirshSessionError(`virsh did not answer "${command}" within ${timeoutMs} ms; restarting it`));
      child.kill("SIGKILL");
    };
    this.child = child;
    this.exchange = exchange;
    return exchange;
  }
}
