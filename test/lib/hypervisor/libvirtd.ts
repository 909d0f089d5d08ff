import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, readFile, rm } from 'node:fs/promises';
import { CommandError, findCommand, sleep } from './run.ts';
import { SYSTEM_URI, virsh, virshMaybe } from './virsh.ts';

export { SYSTEM_URI } from './virsh.ts';

export interface LibvirtdStatus {
  uri: typeof SYSTEM_URI;
  /** False when libvirtd already answered; then startMs is 0. */
  started: boolean;
  /** From spawning the daemons until `virsh version` answered. */
  startMs: number;
}

const REQUIRED: Array<[string, string]> = [
  ['virsh', 'libvirt-clients'],
  ['libvirtd', 'libvirt-daemon-system'],
  ['virtlogd', 'libvirt-daemon-system'],
  ['qemu-system-x86_64', 'qemu-system-x86'],
  ['qemu-img', 'qemu-utils'],
];

async function pidAlive(pidFile: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a `-d` daemon: the parent exits once the daemon has forked, so waiting on it is short. */
function daemonize(command: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, ['-d'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve(error.message));
    // A second concurrent starter fails on the pid file lock; that is fine, the caller polls.
    child.on('exit', () => resolve(stderr.trim()));
  });
}

/**
 * Makes sure the system libvirtd (with virtlogd, which writes serial console logs) is running
 * and answering on qemu:///system. There is no systemd here, so it starts them with `-d`; they
 * outlive the test process on purpose, like on a real host. Needs root.
 */
export async function ensureLibvirtd(timeoutMs = 60_000): Promise<LibvirtdStatus> {
  if ((await virshMaybe(SYSTEM_URI, ['version'], { timeoutMs: 10_000 })) !== null) {
    return { uri: SYSTEM_URI, started: false, startMs: 0 };
  }
  const missing: string[] = [];
  for (const [command, pkg] of REQUIRED) if (!(await findCommand(command))) missing.push(`${command} (apt package ${pkg})`);
  if (missing.length > 0) throw new Error(`Cannot start libvirtd, missing: ${missing.join(', ')}`);
  if (process.getuid?.() !== 0) throw new Error('Starting the system libvirtd needs root: run the real-hypervisor tests as root');

  const started = performance.now();
  const notes: string[] = [];
  if (!(await pidAlive('/run/virtlogd.pid'))) notes.push(await daemonize('virtlogd'));
  if (!(await pidAlive('/run/libvirtd.pid'))) notes.push(await daemonize('libvirtd'));

  let lastError = '';
  while (performance.now() - started < timeoutMs) {
    try {
      await virsh(SYSTEM_URI, ['version'], { timeoutMs: Math.max(1_000, timeoutMs - (performance.now() - started)) });
      return { uri: SYSTEM_URI, started: true, startMs: Math.round(performance.now() - started) };
    } catch (error) {
      lastError = error instanceof CommandError ? error.stderr.trim() : String(error);
      await sleep(250);
    }
  }
  const daemonOutput = notes.filter(Boolean).join('; ') || 'nothing';
  throw new Error(
    `libvirtd did not answer on ${SYSTEM_URI} within ${timeoutMs} ms (last error: ${lastError}; daemons printed: ${daemonOutput}). ` +
      'Check /var/log/libvirt/ and try `libvirtd -v` in a terminal.',
  );
}

export interface DirPool {
  name: string;
  path: string;
  /** True when a pool with this name (or this target path) was already defined. */
  adopted: boolean;
}

function targetPath(poolXml: string): string | null {
  return /<target>\s*<path>([^<]*)<\/path>/.exec(poolXml)?.[1] ?? null;
}

/**
 * Defines, builds and starts a directory pool idempotently (pass `owner` for a session daemon's
 * pool). An existing pool with the same name,
 * or another pool already pointing at the same directory (libvirt refuses a second one), is
 * adopted and started if needed rather than redefined.
 */
export async function ensureDirPool(
  name: string,
  path: string,
  uri: string = SYSTEM_URI,
  owner?: { uid: number; gid: number },
): Promise<DirPool> {
  // The qemu process (user libvirt-qemu on the system daemon) must be able to reach the images;
  // an unprivileged session daemon must also own the directory to create volumes in it.
  await mkdir(path, { recursive: true });
  await chmod(path, 0o755);
  if (owner) await chown(path, owner.uid, owner.gid);

  let poolName = name;
  let adopted = true;
  if ((await virshMaybe(uri, ['pool-info', name])) === null) {
    const names = (await virsh(uri, ['pool-list', '--all', '--name'])).split('\n').map((n) => n.trim()).filter(Boolean);
    let samePath: string | undefined;
    for (const other of names) {
      if (targetPath(await virsh(uri, ['pool-dumpxml', other])) === path) samePath = other;
    }
    if (samePath) {
      poolName = samePath;
    } else {
      adopted = false;
      await virsh(uri, ['pool-define-as', name, 'dir', '--target', path]);
    }
  }
  const info = await virsh(uri, ['pool-info', poolName]);
  if (!/^State:\s+running$/m.test(info)) {
    await virsh(uri, ['pool-build', poolName]).catch(() => undefined); // directory already exists
    await virsh(uri, ['pool-start', poolName]);
  }
  await virsh(uri, ['pool-autostart', poolName]);
  return { name: poolName, path, adopted };
}

/** Stops and undefines a pool and deletes its directory with whatever volumes are left in it. */
export async function removeDirPool(pool: DirPool, uri: string = SYSTEM_URI): Promise<void> {
  await virshMaybe(uri, ['pool-destroy', pool.name]);
  await virshMaybe(uri, ['pool-undefine', pool.name]);
  await rm(pool.path, { recursive: true, force: true });
}
