import { run, type RunOptions } from './run.ts';

/** The libvirt connection every real-hypervisor test uses unless it starts its own daemons. */
export const SYSTEM_URI = 'qemu:///system' as const;

/** Runs `virsh -c URI ARGS…` (argument array, no shell) and returns its trimmed stdout. */
export async function virsh(uri: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const { stdout } = await run('virsh', ['-q', '-c', uri, ...args], { timeoutMs: 60_000, ...opts });
  return stdout.trim();
}

/** Like virsh(), but resolves to null instead of rejecting: for probes and best-effort cleanup. */
export async function virshMaybe(uri: string, args: readonly string[], opts: RunOptions = {}): Promise<string | null> {
  try {
    return await virsh(uri, args, opts);
  } catch {
    return null;
  }
}
