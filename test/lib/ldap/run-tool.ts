import { spawn } from "node:child_process";

/**
 * Runs an OpenLDAP or OpenSSL tool with an argument array (never a shell), feeding `input` on
 * stdin; resolves with stdout or rejects naming the command and its stderr.
 */
export function runTool(command: string, args: readonly string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`));
    });
    // A tool that exits without reading its input (a probe while slapd is starting) closes the
    // pipe first: its exit code above says what happened, so the EPIPE is not a second error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}
