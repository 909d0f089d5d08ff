import { spawn } from "node:child_process";

/**
 * Runs a tool with an argument array (never a shell), feeding `stdin` when given, and returns its
 * stdout. A failure names the tool and its stderr, never its arguments or input (which may hold a
 * secret).
 */
export function runTool(command: string, args: readonly string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", LC_ALL: "C" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => reject(new Error(`${command} could not run (${error.message}): install it on this host (Debian's genisoimage and openssl packages; scripts/bootstrap.sh installs both)`)));
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} failed (exit code ${code}): ${stderr.trim().split("\n").slice(-3).join("; ")}`));
    });
    child.stdin.on("error", () => undefined); // reported through "close"
    child.stdin.end(stdin ?? "");
  });
}
