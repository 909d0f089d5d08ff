import { lookup } from "node:dns/promises";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { CoreDeps } from "../context.ts";
import { isCarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { readTemplateSettings } from "../settings/template-settings.ts";
import type { TResolver } from "./classify-address.ts";
import { fetchImage, ImageFetchError } from "./fetch-image.ts";
import { detectImageFormat } from "./image-format.ts";

export interface TTemplateFetcherOptions {
  /** The template store: downloaded images live here as `<template id>.<format>`. */
  storeDir: string;
  /** DNS by default; tests pass a stub. */
  resolver?: TResolver;
  /** Downloads at once (per controller). */
  concurrency?: number;
  /** Progress is written at most this often. */
  progressEveryMs?: number;
  /** A download's claim; renewed at a third of it, so another controller takes over a dead one's. */
  leaseMs?: number;
  /** A server silent this long fails the download. */
  idleTimeoutMs?: number;
}

export interface TTemplateFetcher {
  /** Claims waiting downloads and clears the store of images no template uses. */
  tick(): Promise<void>;
  /** Cancels running downloads (their templates wait for the next controller) and waits for them. */
  stop(): Promise<void>;
}

const GIB = 1024 ** 3;

const dnsResolver: TResolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Downloads registered templates into the store, in the controller. Work comes from the database
 * (templates Downloading whose lease is free or expired), so a restarted controller picks up what
 * its predecessor left, and several controllers never download the same image at once.
 */
export function startTemplateFetcher(deps: CoreDeps, options: TTemplateFetcherOptions): TTemplateFetcher {
  const resolver = options.resolver ?? dnsResolver;
  const concurrency = options.concurrency ?? 2;
  const leaseMs = options.leaseMs ?? 30_000;
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let stopping = false;

  const leaseUntil = () => new Date(deps.now().getTime() + leaseMs);

  async function claim(): Promise<string[]> {
    const free = concurrency - running.size;
    if (free <= 0) return [];
    const candidates = await deps.db.template.findMany({
      where: { state: "Downloading", OR: [{ fetchLeaseUntil: null }, { fetchLeaseUntil: { lt: deps.now() } }] },
      select: { id: true, fetchLeaseUntil: true },
      orderBy: { createdAt: "asc" },
      take: free,
    });
    const claimed: string[] = [];
    for (const candidate of candidates) {
      // Conditional on the lease we read: of two controllers, one wins.
      const won = await deps.db.template.updateMany({
        where: { id: candidate.id, state: "Downloading", fetchLeaseUntil: candidate.fetchLeaseUntil },
        data: { fetchLeaseUntil: leaseUntil(), progress: 0, sizeBytes: 0, stateReason: null },
      });
      if (won.count === 1) claimed.push(candidate.id);
    }
    return claimed;
  }

  /** Removes files of templates that are gone, deleted or failed (and leftovers of dead downloads). */
  async function sweepStore(): Promise<void> {
    const names = await readdir(options.storeDir);
    if (names.length === 0) return;
    const live = await deps.db.template.findMany({
      where: { OR: [{ state: "Ready", storedPath: { not: null } }, { state: "Downloading" }] },
      select: { id: true, state: true, storedPath: true },
    });
    // A Downloading template's partial file may belong to another controller sharing the store.
    const keep = new Set(live.map((t) => (t.state === "Ready" ? t.storedPath : join(options.storeDir, `${t.id}.part`))));
    for (const name of names) {
      const path = join(options.storeDir, name);
      if (keep.has(path) || running.has(name.split(".")[0] ?? "")) continue;
      await rm(path, { force: true });
      deps.log.info({ path }, "removed an image no template uses from the template store");
    }
  }

  async function download(id: string, abort: AbortController): Promise<void> {
    const template = await deps.db.template.findUnique({ where: { id } });
    if (!template?.sourceUrl) return;
    const part = join(options.storeDir, `${id}.part`);
    const log = deps.log.child({ templateId: id, template: template.name });
    // Renewing the lease is also how a deletion reaches us: the template is no longer Downloading.
    let lastWrite = 0;
    let progress: { bytes: number; total: number | null } = { bytes: 0, total: null };
    // Never rejects: a missed progress write is retried by the next one.
    const touch = async () => {
      lastWrite = Date.now();
      const percent = progress.total ? Math.min(99, Math.floor((progress.bytes * 100) / progress.total)) : 0;
      try {
        const kept = await deps.db.template.updateMany({
          where: { id, state: "Downloading" },
          data: { progress: percent, sizeBytes: progress.bytes, fetchLeaseUntil: leaseUntil() },
        });
        if (kept.count === 0) abort.abort(new Error("template deleted"));
      } catch (err) {
        log.warn({ err }, "could not record a template download's progress; the next write retries");
      }
    };
    let writing: Promise<void> = Promise.resolve();
    const renew = setInterval(() => (writing = writing.then(touch)), leaseMs / 3);
    try {
      const fetched = await fetchImage({
        url: template.sourceUrl,
        settings: await readTemplateSettings(deps.db),
        resolver,
        dest: part,
        idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
        signal: abort.signal,
        onProgress: (bytes, total) => {
          progress = { bytes, total };
          if (Date.now() - lastWrite >= (options.progressEveryMs ?? 500)) writing = writing.then(touch);
        },
      });
      clearInterval(renew);
      await writing;
      const image = await detectImageFormat(part);
      if (template.sha256 && template.sha256 !== fetched.sha256) {
        throw new ImageFetchError(`checksum mismatch: expected sha256 ${template.sha256}, the download has ${fetched.sha256}; check the checksum published with the image and the URL, then register it again.`);
      }
      const storedPath = join(options.storeDir, `${id}.${image.format}`);
      await rename(part, storedPath);
      const ready = await deps.db.$transaction(async (tx) => {
        const updated = await tx.template.updateMany({
          where: { id, state: "Downloading" },
          data: {
            state: "Ready",
            stateReason: null,
            progress: 100,
            format: image.format,
            sizeBytes: fetched.bytes,
            virtualSizeBytes: image.virtualSizeBytes,
            sha256: fetched.sha256,
            storedPath,
            fetchLeaseUntil: null,
            // A root disk can never be smaller than the image it starts from.
            minDiskGiB: Math.max(template.minDiskGiB, Math.ceil(image.virtualSizeBytes / GIB)),
          },
        });
        if (updated.count === 1) {
          await recordEvent(tx, { type: "template.ready", actor: SYSTEM_ACTOR, message: `template ${template.name} is Ready: ${image.format}, ${fetched.bytes} bytes, sha256 ${fetched.sha256}`, data: { templateId: template.id, sizeBytes: String(fetched.bytes) } });
        }
        return updated.count === 1;
      });
      if (!ready) await rm(storedPath, { force: true });
      log.info({ format: image.format, bytes: fetched.bytes, ready }, "template downloaded");
    } catch (error) {
      clearInterval(renew);
      await writing;
      await rm(part, { force: true });
      if (abort.signal.aborted) {
        // Deleted (nothing to record) or stopping: free the lease so the next controller resumes at once.
        if (stopping) await deps.db.template.updateMany({ where: { id, state: "Downloading" }, data: { fetchLeaseUntil: null } });
        return;
      }
      const reason = error instanceof Error ? error.message : String(error);
      // Refusals and HTTP failures are the admin's to fix; anything else may be a bug.
      if (!(isCarveError(error) || error instanceof ImageFetchError)) log.warn({ err: error }, "template download failed");
      await deps.db.$transaction(async (tx) => {
        const failed = await tx.template.updateMany({ where: { id, state: "Downloading" }, data: { state: "Error", stateReason: reason, fetchLeaseUntil: null } });
        if (failed.count === 1) await recordEvent(tx, { type: "template.failed", actor: SYSTEM_ACTOR, message: `template ${template.name} failed: ${reason}` });
      });
    }
  }

  return {
    async tick() {
      if (stopping) return;
      await mkdir(options.storeDir, { recursive: true });
      for (const id of await claim()) {
        const abort = new AbortController();
        const done = download(id, abort)
          .catch((err: unknown) => deps.log.error({ err, templateId: id }, "template download crashed; another round retries it once its lease ends"))
          .finally(() => running.delete(id));
        running.set(id, { abort, done });
      }
      await sweepStore();
    },
    async stop() {
      stopping = true;
      for (const { abort } of running.values()) abort.abort(new Error("controller stopping"));
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
