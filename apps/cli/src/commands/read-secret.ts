import { createInterface } from "node:readline";
import { Writable } from "node:stream";

/**
 * Reads a password from standard input, never from the command line (argv is visible to every
 * user of the machine in `ps`). Piped input: everything up to EOF, one trailing newline dropped.
 * A terminal: asks without echo, twice unless `confirm` is false.
 */
export async function readSecret(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += (chunk as Buffer).toString("utf8");
    return text.replace(/\r?\n$/, "");
  }
  const first = await ask(`${prompt}: `);
  // A pasted key is checked by the server; a new password is typed twice.
  if (options.confirm === false) return first;
  const second = await ask(`${prompt} again: `);
  if (first !== second) throw new Error("The two entries differ; nothing was changed. Try again.");
  return first;
}

function ask(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
    muted = true;
  });
}
