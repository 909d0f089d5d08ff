import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { cliIo } from "../cli-io.ts";

/**
 * Reads a password from standard input, never from the command line (argv is visible to every
 * user of the machine in `ps`). Piped input: everything up to EOF, one trailing newline dropped.
 * A terminal: asks without echo, twice unless `confirm` is false.
 */
export async function readSecret(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  const { stdin } = cliIo();
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) text += (chunk as Buffer).toString("utf8");
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
  const { stdin, stderr } = cliIo();
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      stderr.write("\n");
      resolve(answer);
    });
    muted = true;
  });
}
