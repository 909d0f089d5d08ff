import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HypervisorError, libvirtFailure } from "../errors.ts";
import type { TMigrationDisk, TMigrationOutcome, TMigrationRequest, TMigrationWatch } from "../hypervisor.ts";
import { withFilterFile } from "./virsh-filters.ts";
import { diskTargetsByPath, migrationXml, parseJobProgress } from "./migration-xml.ts";

/** A virsh run failed; `stderr` is its message without the `error: ` prefixes. */
class VirshRunError extends Error {
  constructor(readonly stderr: string) {
    super(stderr);
  }
}

const VIRSH_ENV = { ...process.env, LC_ALL: "C", VIRSH_HISTSIZE: "0" };

function virshErrors(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.replace(/^error: /, "").trim()).filter(Boolean);
  return lines.join(": ") || "virsh gave no reason";
}

/**
 * One `virsh -c URI …` process, spawned with an argument array: migration needs arguments (URIs
 * with `?` and `=`, file names) that the interactive session's whitelist rightly refuses, and a
 * second connection (the destination's).
 */
function virsh(uri: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("virsh", ["-q", "-c", uri, ...args], { env: VIRSH_ENV, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new VirshRunError(virshErrors(String(stderr) || error.message)));
      else resolve(String(stdout));
    });
  });
}

async function domainState(uri: string, name: string): Promise<string | null> {
  try {
    return (await virsh(uri, ["domstate", name])).trim();
  } catch (error) {
    if (error instanceof VirshRunError && /failed to get domain|domain not found|no domain with matching name/i.test(error.stderr)) return null;
    throw error;
  }
}

async function volumePath(uri: string, pool: string, name: string): Promise<string> {
  return (await virsh(uri, ["vol-path", "--pool", pool, name])).trim();
}

/** Pre-creates a disk's copy on the destination (a leftover of an earlier attempt is replaced). */
async function precreate(uri: string, disk: TMigrationDisk): Promise<string> {
  const { pool, name } = disk.target;
  const args = ["vol-create-as", pool, name, String(disk.capacityBytes), "--format", disk.format];
  try {
    await virsh(uri, args);
  } catch (error) {
    if (!(error instanceof VirshRunError && /already exists|exists already/i.test(error.stderr))) throw error;
    await virsh(uri, ["vol-delete", "--pool", pool, name]);
    await virsh(uri, args);
  }
  return volumePath(uri, pool, name);
}

/**
 * Live-migrates `name` from `sourceUri` to the request's destination with `virsh migrate --live
 * --persistent --undefinesource` (plus `--copy-storage-all --migrate-disks` for local disks, whose
 * copies are pre-created first, as QEMU's disk mirror needs a target file). Progress comes from
 * `virsh domjobinfo`; an abort reason (cancel, timeout) runs `virsh domjobabort`, after which
 * libvirt resumes the VM here. A failed or aborted migration deletes the pre-created copies, so
 * nothing half-copied stays in the destination's pool. Idempotent: a domain already gone from here
 * and running on the destination is a migration done.
 */
export async function migrateWithVirsh(sourceUri: string, name: string, request: TMigrationRequest, watch: TMigrationWatch, consoleSocketDir?: string): Promise<TMigrationOutcome> {
  const dest = request.destinationUri;
  const started = Date.now();
  const state = await domainState(sourceUri, name).catch((error: unknown) => {
    throw failure("libvirt could not read the VM's state", error);
  });
  if (state === null) {
    const there = await domainState(dest, name).catch(() => null);
    if (there === "running") {
      const diskPaths = await Promise.all(request.disks.map(async (d) => ({ volumeId: d.volumeId, path: await volumePath(dest, d.target.pool, d.target.name) })));
      return { durationMs: 0, diskPaths };
    }
    throw HypervisorError.refusal(`${name} is not defined on this host, nor running on the destination: nothing to migrate`);
  }
  if (state !== "running") throw HypervisorError.refusal(`${name} is ${state}, not running: only a running VM live-migrates (a stopped one moves cold)`);

  const work = await mkdtemp(join(tmpdir(), "carve-migrate-"));
  const created: TMigrationDisk[] = [];
  try {
    await watch.onProgress(2, "preparing the destination");
    // The domain's NICs refer to its network filter: QEMU on the destination cannot start them without it.
    const filter = request.filter;
    if (filter) await withFilterFile(filter, (file) => virsh(dest, ["nwfilter-define", file]));
    const diskPaths = new Map<string, string>();
    const outcomePaths: TMigrationOutcome["diskPaths"] = [];
    for (const disk of request.disks) {
      const here = await volumePath(sourceUri, disk.source.pool, disk.source.name);
      created.push(disk);
      const there = await precreate(dest, disk);
      diskPaths.set(here, there);
      outcomePaths.push({ volumeId: disk.volumeId, path: there });
    }
    const changes = { diskPaths, consoleLogDir: request.consoleLogDir, consoleSocketDir };
    const liveXml = await virsh(sourceUri, ["dumpxml", "--migratable", name]);
    const targets = diskTargetsByPath(liveXml);
    const migrateDisks = [...diskPaths.keys()].map((path) => {
      const target = targets.get(path);
      if (target === undefined) throw HypervisorError.refusal(`${name} has no disk at ${path}; it cannot be copied`);
      return target;
    });
    const xmlFile = join(work, "live.xml");
    const persistentFile = join(work, "persistent.xml");
    await writeFile(xmlFile, migrationXml(liveXml, changes), { mode: 0o600 });
    await writeFile(persistentFile, migrationXml(await virsh(sourceUri, ["dumpxml", "--inactive", "--migratable", name]), changes), { mode: 0o600 });

    const args = ["-q", "-c", sourceUri, "migrate", "--live", "--persistent", "--undefinesource", "--xml", xmlFile, "--persistent-xml", persistentFile];
    if (migrateDisks.length > 0) args.push("--copy-storage-all", "--migrate-disks", migrateDisks.join(","));
    if (request.address !== undefined) args.push("--migrateuri", request.address);
    // libvirt recognises shared storage only on network and cluster filesystems, and there only
    // with cache=none (the domain builder sets it for disks on them: disk-cache.ts); for pools an
    // admin registered as Shared on something else (a replicated directory), the control plane vouches.
    if (request.trustSharedStorage) args.push("--unsafe");
    args.push(name, dest);
    await watch.onProgress(5, "migrating");
    const migrationStarted = Date.now();
    const aborted = await runMigration(args, sourceUri, name, watch);
    if (aborted.error !== null) {
      const reason = aborted.reason ? `it was aborted (${aborted.reason})` : aborted.error;
      throw HypervisorError.refusal(`live migration of ${name} failed: ${reason}; the VM keeps running on this host`, aborted.error);
    }
    created.length = 0; // the copies are the VM's disks now
    await watch.onProgress(100, "migrated");
    return { durationMs: Date.now() - migrationStarted, diskPaths: outcomePaths };
  } catch (error) {
    for (const disk of created) await virsh(dest, ["vol-delete", "--pool", disk.target.pool, disk.target.name]).catch(() => undefined);
    throw error instanceof HypervisorError ? error : failure(`live migration of ${name} failed after ${Math.round((Date.now() - started) / 1000)} s`, error);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function failure(what: string, error: unknown): HypervisorError {
  return libvirtFailure(what, error instanceof Error ? error.message : String(error));
}

/** Runs `virsh migrate`, polling progress and the abort reason until it exits. */
function runMigration(args: string[], sourceUri: string, name: string, watch: TMigrationWatch): Promise<{ error: string | null; reason: string | null }> {
  return new Promise((resolve) => {
    const child = spawn("virsh", args, { env: VIRSH_ENV, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let reason: string | null = null;
    let done = false;
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-8192)));
    const poll = async (): Promise<void> => {
      while (!done) {
        await new Promise((r) => setTimeout(r, watch.pollIntervalMs));
        if (done) return;
        if (reason === null) {
          reason = await watch.abortReason().catch(() => null);
          if (reason !== null) await virsh(sourceUri, ["domjobabort", name]).catch(() => undefined);
        }
        const info = await virsh(sourceUri, ["domjobinfo", name, "--rawstats"]).catch(() => "");
        const progress = parseJobProgress(info);
        if (progress && !done) {
          const percent = 5 + Math.min(94, Math.floor((progress.processed / progress.total) * 94));
          const mib = (bytes: number) => Math.round(bytes / 1048576);
          await watch.onProgress(percent, `migrating: ${mib(progress.processed)} of ${mib(progress.total)} MiB`).catch(() => undefined);
        }
      }
    };
    const polling = poll();
    child.on("error", (error) => {
      done = true;
      void polling.then(() => resolve({ error: `virsh could not start: ${error.message}`, reason }));
    });
    child.on("exit", (code, signal) => {
      done = true;
      const error = code === 0 ? null : virshErrors(stderr) || `virsh migrate ended (${signal ?? `exit code ${code}`})`;
      void polling.then(() => resolve({ error, reason }));
    });
  });
}
