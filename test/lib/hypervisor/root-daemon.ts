import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cp, mkdir, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CommandError, run, sleep } from "./run.ts";
import { virsh, virshMaybe } from "./virsh.ts";

/** What a system libvirtd keeps per host, and the per-host directory (one letter: short socket paths) bound over it. */
const BIND_MOUNTS = [
  ["r", "/run/libvirt"],
  ["l", "/var/lib/libvirt"],
  ["e", "/etc/libvirt"],
  ["c", "/var/cache/libvirt"],
  ["g", "/var/log/libvirt"],
] as const;

export interface TRootDaemon {
  /** qemu+unix:///system?socket=DIR/r/libvirt-sock, reachable from outside its namespace. */
  uri: string;
  /** The host_uuid written into its libvirtd.conf (distinct per daemon: migration checks it). */
  hostUuid: string;
  dir: string;
  /** Destroys every domain it runs, then ends libvirtd, its virtlogd and the namespace. */
  stop(): Promise<void>;
}

async function pidIn(file: string): Promise<number | null> {
  const pid = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after 5 s; a pid already gone is fine. */
async function end(pid: number | null): Promise<void> {
  if (pid === null || !alive(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, "SIGKILL");
}

/**
 * A root (qemu:///system) libvirtd that looks like a host of its own on this machine: it runs in a
 * private mount namespace where /run/libvirt, /var/lib/libvirt, /etc/libvirt (a libvirtd.conf with
 * a random host_uuid, the machine's qemu.conf and built-in nwfilters, no domains, networks or
 * pools), /var/cache/libvirt and /var/log/libvirt are bind mounts of directories under `dir`, with
 * a virtlogd of its own. It shares the machine's network namespace, so two of them plug guests into
 * the same Linux bridge as two hosts on one LAN, and they live-migrate between each other like
 * hosts (QEMU, taps and nwfilter rules are real; no session-daemon limits). Needs root.
 */
export async function startRootDaemon(dir: string, timeoutMs = 60_000): Promise<TRootDaemon> {
  if (process.getuid?.() !== 0) throw new Error("A root libvirtd per host needs root: run the real-hypervisor tests as root");
  for (const [sub] of BIND_MOUNTS) await mkdir(join(dir, sub), { recursive: true, mode: 0o755 });
  const etc = join(dir, "e");
  for (const file of ["qemu.conf", "virtlogd.conf"]) await cp(join("/etc/libvirt", file), join(etc, file));
  await cp("/etc/libvirt/nwfilter", join(etc, "nwfilter"), { recursive: true });
  const hostUuid = randomUUID();
  await writeFile(join(etc, "libvirtd.conf"), `host_uuid = "${hostUuid}"\n`);

  // The namespace lives as long as a process is in it: a sleeping holder, then the daemons too.
  const holder = spawn("unshare", ["--mount", "--propagation", "private", "sleep", "infinity"], { detached: true, stdio: "ignore" });
  holder.unref();
  const holderPid = holder.pid;
  if (holderPid === undefined) throw new Error("unshare could not be spawned (util-linux)");
  const stopAll = async (): Promise<void> => {
    await end(await pidIn(join(dir, "libvirtd.pid")));
    // QEMU outlives a killed libvirtd: end whatever domain it left running.
    for (const file of await readdir(join(dir, "r", "qemu")).catch(() => [])) if (file.endsWith(".pid")) await end(await pidIn(join(dir, "r", "qemu", file)));
    await end(await pidIn(join(dir, "virtlogd.pid")));
    await end(holderPid);
  };
  try {
    // nsenter before unshare has made the namespace would bind-mount over the machine's own /run/libvirt.
    const own = await readlink("/proc/self/ns/mnt");
    for (let i = 0; (await readlink(`/proc/${holderPid}/ns/mnt`).catch(() => own)) === own; i++) {
      if (i > 100) throw new Error("unshare --mount made no mount namespace within 5 s");
      await sleep(50);
    }
    const inNamespace = (args: string[]) => run("nsenter", ["-t", String(holderPid), "-m", ...args]);
    for (const [sub, target] of BIND_MOUNTS) await inNamespace(["mount", "--bind", join(dir, sub), target]);
    await inNamespace(["virtlogd", "-d", "--pid-file", join(dir, "virtlogd.pid")]);
    await inNamespace(["libvirtd", "-d", "--pid-file", join(dir, "libvirtd.pid")]);

    const uri = `qemu+unix:///system?socket=${join(dir, "r", "libvirt-sock")}`;
    const started = Date.now();
    for (let lastError = ""; ; await sleep(250)) {
      try {
        await virsh(uri, ["version"], { timeoutMs: 10_000 });
        break;
      } catch (error) {
        lastError = error instanceof CommandError ? error.stderr.trim() : String(error);
      }
      if (Date.now() - started > timeoutMs) throw new Error(`the root libvirtd in ${dir} did not answer on ${uri} within ${timeoutMs} ms (last error: ${lastError}); see ${join(dir, "g", "libvirtd.log")}`);
    }
    const stop = async (): Promise<void> => {
      const names = ((await virshMaybe(uri, ["list", "--all", "--name"])) ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
      for (const name of names) {
        await virshMaybe(uri, ["destroy", name]);
        await virshMaybe(uri, ["undefine", name]);
      }
      await stopAll();
    };
    return { uri, hostUuid, dir, stop };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
