import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chown, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CommandError, run, sleep } from "./run.ts";
import { virsh, virshMaybe } from "./virsh.ts";

/** The unprivileged user every session daemon of the two-host fixture runs as. */
export const SESSION_USER = "carve-hv";

export interface TSessionUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * The user session daemons run as, created (a system user without a home) when missing. One user
 * for both "hosts" on purpose: a volume in the shared pool written by one daemon's QEMU must be
 * readable by the other's, as it would be on NFS where every host's QEMU has the same uid.
 */
export async function ensureSessionUser(name: string = SESSION_USER): Promise<TSessionUser> {
  const lookup = async () => {
    const { stdout } = await run("id", ["-u", name]).catch(() => ({ stdout: "" }));
    if (!stdout.trim()) return null;
    const gid = (await run("id", ["-g", name])).stdout.trim();
    return { name, uid: Number(stdout.trim()), gid: Number(gid) };
  };
  const found = await lookup();
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error(`The user ${name} for the session daemons is missing and creating it needs root`);
  await run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]).catch((error: unknown) => {
    // A parallel test file may have created it in the meantime.
    if (!(error instanceof CommandError && /already exists/.test(error.stderr))) throw error;
  });
  const created = await lookup();
  if (!created) throw new Error(`useradd ${name} did not create the user`);
  return created;
}

export interface TSessionDaemon {
  /** e.g. qemu:///session?socket=/tmp/c2-…/h1/r/libvirt/libvirt-sock */
  uri: string;
  /** The host_uuid written into its libvirtd.conf (distinct per daemon: migration checks it). */
  hostUuid: string;
  /** The daemon's own directory tree (XDG dirs, logs). */
  dir: string;
  user: TSessionUser;
  pid: number;
  /** Destroys and undefines every domain it has, then kills the daemon. */
  stop(): Promise<void>;
}

/**
 * Starts a libvirtd in session mode as `user`, with its own XDG_CONFIG_HOME / XDG_RUNTIME_DIR /
 * XDG_DATA_HOME / XDG_CACHE_HOME under `dir` and a random host_uuid, so several of them on one
 * machine look like separate hosts (live migration between them works). Resolves once
 * `virsh -c URI version` answers (capability probing takes a few seconds).
 */
export async function startSessionDaemon(dir: string, user: TSessionUser, timeoutMs = 60_000): Promise<TSessionDaemon> {
  // One-letter names: QEMU's guest-agent socket lands ~82 bytes below XDG_CONFIG_HOME and a UNIX
  // socket path must stay under 108 bytes.
  const xdg = { config: join(dir, "c"), runtime: join(dir, "r"), data: join(dir, "d"), cache: join(dir, "k"), home: join(dir, "h") };
  for (const path of Object.values(xdg)) {
    await mkdir(path, { recursive: true, mode: 0o700 });
    await chown(path, user.uid, user.gid);
  }
  await mkdir(join(xdg.config, "libvirt"), { recursive: true });
  const hostUuid = randomUUID();
  await writeFile(join(xdg.config, "libvirt", "libvirtd.conf"), `host_uuid = "${hostUuid}"\n`);
  await chown(join(xdg.config, "libvirt"), user.uid, user.gid);
  await chown(join(xdg.config, "libvirt", "libvirtd.conf"), user.uid, user.gid);
  await chown(dir, user.uid, user.gid);

  const env = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: xdg.home,
    USER: user.name,
    XDG_CONFIG_HOME: xdg.config,
    XDG_RUNTIME_DIR: xdg.runtime,
    XDG_DATA_HOME: xdg.data,
    XDG_CACHE_HOME: xdg.cache,
  };
  const logFile = join(dir, "libvirtd.log");
  await writeFile(logFile, "");
  await chown(logFile, user.uid, user.gid);
  const child = spawn("libvirtd", ["--verbose"], { cwd: dir, env, uid: user.uid, gid: user.gid, detached: true, stdio: "ignore" });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error("libvirtd could not be spawned (is libvirt-daemon-system installed?)");
  let exited = false;
  child.once("exit", () => (exited = true));

  const uri = `qemu:///session?socket=${join(xdg.runtime, "libvirt", "libvirt-sock")}`;
  const started = Date.now();
  let lastError = "";
  for (;;) {
    if (exited) throw new Error(`the session libvirtd in ${dir} exited before it answered; see ${logFile}`);
    try {
      await virsh(uri, ["version"], { timeoutMs: 10_000 });
      break;
    } catch (error) {
      lastError = error instanceof CommandError ? error.stderr.trim() : String(error);
    }
    if (Date.now() - started > timeoutMs) {
      process.kill(pid, "SIGKILL");
      throw new Error(`the session libvirtd in ${dir} did not answer on ${uri} within ${timeoutMs} ms (last error: ${lastError})`);
    }
    await sleep(250);
  }

  const stop = async () => {
    const names = ((await virshMaybe(uri, ["list", "--all", "--name"])) ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
    for (const name of names) {
      await virshMaybe(uri, ["destroy", name]);
      await virshMaybe(uri, ["undefine", name, "--nvram"]);
    }
    if (!exited) {
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) process.kill(pid, "SIGKILL");
    }
    // The session virtlogd it spawned exits by itself after its idle timeout.
  };
  return { uri, hostUuid, dir, user, pid, stop };
}
