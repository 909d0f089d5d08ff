// A second (third, …) libvirt "host" on this one machine, for live-migration and storage-motion
// tests: an unprivileged libvirtd in session mode with its own XDG_* directories (so its own
// socket, domains, pools and logs) and its own random host_uuid in its libvirtd.conf (libvirt
// refuses to migrate between daemons reporting the same host UUID).
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_VAR_DIR } from './paths.ts';
import { CommandError, run, sleep } from './run.ts';
import { virshMaybe } from './virsh.ts';

/** The unprivileged account every session daemon (and its qemu processes) runs as. */
export const SESSION_USER = 'carve-e2e';
export const SESSION_HOSTS_DIR = join(E2E_VAR_DIR, 'e2e', 'hosts');
// Shared by all session daemons and kept between runs: it holds libvirt's QEMU capability cache,
// whose probing is ~4 s of every cold daemon start. libvirt rewrites it atomically.
const SESSION_CACHE_DIR = join(E2E_VAR_DIR, 'e2e', 'session-cache');

export interface SessionUser {
  user: string;
  uid: number;
  gid: number;
}

export interface SessionDaemon extends SessionUser {
  name: string;
  /** `qemu+unix:///session?socket=…`: usable by root and by SESSION_USER. */
  uri: string;
  hostUuid: string;
  baseDir: string;
  /** Writable by this daemon's virtlogd: put its domains' serial logs here. */
  consoleDir: string;
  pid: number;
  /** Spawn until `virsh version` answered; 0 when an already running daemon was adopted. */
  startMs: number;
  /** Destroys this daemon's running domains, then stops the daemon. */
  stop(): Promise<void>;
}

async function idOf(flag: '-u' | '-g', user: string): Promise<number> {
  return Number.parseInt((await run('id', [flag, user])).stdout.trim(), 10);
}

/** Creates the unprivileged SESSION_USER if missing (a system account, no login shell). */
export async function ensureSessionUser(): Promise<SessionUser> {
  try {
    await run('id', ['-u', SESSION_USER]);
  } catch {
    await run('useradd', [
      '--system', '--user-group', '--home-dir', `/var/lib/${SESSION_USER}`, '--create-home',
      '--shell', '/usr/sbin/nologin', SESSION_USER,
    ]).catch((error: unknown) => {
      // A concurrent caller may have created it first.
      if (!(error instanceof CommandError && error.exitCode === 9)) throw error;
    });
  }
  return { user: SESSION_USER, uid: await idOf('-u', SESSION_USER), gid: await idOf('-g', SESSION_USER) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts (or adopts, if still running from an earlier run) the session libvirtd called `name`
 * and resolves once it answers. Needs root (it creates SESSION_USER and switches to it).
 */
export async function startSessionDaemon(name: string, timeoutMs = 60_000): Promise<SessionDaemon> {
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(name)) {
    throw new Error(`Session daemon name ${JSON.stringify(name)} must be 1-32 chars of a-z, 0-9 and '-'`);
  }
  const account = await ensureSessionUser();
  const baseDir = join(SESSION_HOSTS_DIR, name);
  const dirs = {
    config: join(baseDir, 'config'),
    runtime: join(baseDir, 'runtime'),
    cache: SESSION_CACHE_DIR,
    data: join(baseDir, 'data'),
    console: join(baseDir, 'console'),
  };
  for (const dir of [...Object.values(dirs), join(dirs.config, 'libvirt')]) await mkdir(dir, { recursive: true });
  // SESSION_USER must be able to walk down to its directories (and qemu to the disk images).
  await chmod(SESSION_HOSTS_DIR, 0o755);
  const confPath = join(dirs.config, 'libvirt', 'libvirtd.conf');
  const existing = await readFile(confPath, 'utf8').catch(() => '');
  const hostUuid = /host_uuid\s*=\s*"([^"]+)"/.exec(existing)?.[1] ?? randomUUID();
  if (!existing) await writeFile(confPath, `# written by test/lib/hypervisor/session-daemon.ts\nhost_uuid = "${hostUuid}"\n`);
  await run('chown', ['-R', `${account.uid}:${account.gid}`, baseDir, SESSION_CACHE_DIR]);
  await chmod(dirs.runtime, 0o700);

  const socket = join(dirs.runtime, 'libvirt', 'libvirt-sock');
  const uri = `qemu+unix:///session?socket=${socket}`;
  const pidFile = join(dirs.runtime, 'libvirt', 'libvirtd.pid');
  const started = performance.now();
  let pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  const adopted = Number.isInteger(pid) && alive(pid) && (await virshMaybe(uri, ['version'], { timeoutMs: 10_000 })) !== null;

  if (!adopted) {
    const log = await open(join(baseDir, 'libvirtd.log'), 'a');
    const child = spawn('libvirtd', [], {
      cwd: baseDir,
      uid: account.uid,
      gid: account.gid, // libuv also drops root's supplementary groups
      env: {
        HOME: baseDir,
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        XDG_CONFIG_HOME: dirs.config,
        XDG_RUNTIME_DIR: dirs.runtime,
        XDG_CACHE_HOME: dirs.cache,
        XDG_DATA_HOME: dirs.data,
      },
      detached: true, // its own session: not killed with the test runner's process group
      stdio: ['ignore', log.fd, log.fd],
    });
    child.unref();
    await log.close();
    if (child.pid === undefined) throw new Error(`Could not spawn libvirtd for session daemon ${name}`);
    pid = child.pid;
    // Poll until it answers; a daemon that dies on start-up (bad config, socket in use) fails fast.
    for (;;) {
      if (!alive(pid)) throw new Error(`Session daemon ${name} exited on start-up; see ${join(baseDir, 'libvirtd.log')}`);
      if ((await virshMaybe(uri, ['version'], { timeoutMs: 10_000 })) !== null) break;
      if (performance.now() - started > timeoutMs) {
        throw new Error(`Session daemon ${name} did not answer on ${uri} within ${timeoutMs} ms; see ${join(baseDir, 'libvirtd.log')}`);
      }
      await sleep(250);
    }
  }
  const startMs = adopted ? 0 : Math.round(performance.now() - started);

  const stop = async (): Promise<void> => {
    const running = (await virshMaybe(uri, ['list', '--name'])) ?? '';
    for (const domain of running.split('\n').map((d) => d.trim()).filter(Boolean)) {
      await virshMaybe(uri, ['destroy', domain]);
    }
    // libvirtd auto-spawned its own virtlogd (it would linger 120 s after the last domain).
    const logdPid = Number.parseInt(await readFile(join(dirs.runtime, 'libvirt', 'virtlogd.pid'), 'utf8').catch(() => ''), 10);
    for (const target of [pid, logdPid]) {
      if (!Number.isInteger(target) || !alive(target)) continue;
      process.kill(target, 'SIGTERM');
      for (let i = 0; i < 50 && alive(target); i++) await sleep(200);
      if (alive(target)) process.kill(target, 'SIGKILL');
    }
  };
  return { ...account, name, uri, hostUuid, baseDir, consoleDir: dirs.console, pid, startMs, stop };
}

/** Hands a directory (e.g. a pool shared by several session daemons) to SESSION_USER. */
export async function giveToSessionUser(path: string): Promise<void> {
  const { uid, gid } = await ensureSessionUser();
  await mkdir(path, { recursive: true });
  await run('chown', ['-R', `${uid}:${gid}`, path]);
}
