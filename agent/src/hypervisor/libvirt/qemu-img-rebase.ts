import { execFile } from "node:child_process";
import { HypervisorError } from "../errors.ts";

/**
 * `qemu-img rebase -u`: rewrites only the overlay's header to name another backing file with the
 * same content (unsafe mode reads no data, so it takes milliseconds whatever the disk's size).
 * Chosen over flattening (`qemu-img convert`), which would copy the whole template into every
 * moved root disk and make it fat. Spawned with an argument array: no shell sees the paths.
 */
export function rebaseOverlay(path: string, backing: { path: string; format: "qcow2" | "raw" }): Promise<void> {
  const args = ["rebase", "-u", "-f", "qcow2", "-b", backing.path, "-F", backing.format, path];
  return new Promise((resolve, reject) => {
    execFile("qemu-img", args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const why = String(stderr).trim() || error.message;
      reject(HypervisorError.refusal(`qemu-img could not rebase ${path} onto ${backing.path}: ${why}`, why));
    });
  });
}
