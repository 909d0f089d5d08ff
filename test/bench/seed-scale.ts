import pg from "pg";

export interface TSeedOptions {
  hosts: number;
  users: number;
  vms: number;
  /** VMs owned by one extra user, `heavy` (counted in `vms`), for the list benchmark. */
  heavyUserVms?: number;
  /** Give every user a (generous) quota, so creates take the quota path that real users take. */
  quotas?: boolean;
}

export interface TSeeded {
  seconds: number;
  rows: number;
}

/**
 * Fills a fresh (migrated, empty) Carve database with a fleet in a handful of server-side
 * INSERT … SELECT generate_series statements: hosts Up with one local pool each holding the
 * template `tiny` (and capacity accounted for the VMs on them), users, Running VMs spread evenly
 * over hosts and owners with their root volume, create job and event, and the offering `small`.
 * Setup for the scale benchmarks, not a measurement; the ANALYZE at the end gives the planner
 * the statistics a long-running database would have.
 */
export async function seedScale(databaseUrl: string, options: TSeedOptions): Promise<TSeeded> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  // Ctrl-C drops the database under a running seed: the query then fails, the client must not crash us.
  client.on("error", () => undefined);
  await client.connect();
  const heavy = options.heavyUserVms ?? 0;
  const spread = options.vms - heavy;
  const GIB = 1024 ** 3;
  const q = (sql: string, params: unknown[] = []) => client.query(sql, params);
  try {
    await q("BEGIN");
    await q(`CREATE TEMP TABLE hmap ON COMMIT DROP AS SELECT n, gen_random_uuid() AS id, gen_random_uuid() AS pool FROM generate_series(0, $1::int - 1) n`, [options.hosts]);
    await q(`CREATE TEMP TABLE umap ON COMMIT DROP AS SELECT n, gen_random_uuid() AS id FROM generate_series(0, $1::int - 1) n`, [options.users]);
    await q(`CREATE TEMP TABLE vmap ON COMMIT DROP AS SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS vol, gen_random_uuid() AS job FROM generate_series(0, $1::int - 1) i`, [options.vms]);
    await q(`INSERT INTO "Template" (id, name, state, format, "minDiskGiB", "updatedAt") VALUES (gen_random_uuid(), 'tiny', 'Ready', 'qcow2', 1, now())`);
    await q(`INSERT INTO "ServiceOffering" (id, name, vcpus, "memoryMiB", "rootDiskGiB") VALUES (gen_random_uuid(), 'small', 1, 512, 1)`);
    await q(
      `INSERT INTO "Host" (id, name, uri, state, cpus, "memoryMiB", "lastHeartbeatAt", "updatedAt")
       SELECT id, 'host-' || lpad(n::text, 5, '0'), 'test:///default', 'Up', 64, 262144, now(), now() FROM hmap`,
    );
    await q(
      `INSERT INTO "StoragePool" (id, name, "libvirtName", scope, "hostId", path, state, "capacityBytes", "availableBytes", "capacityReportedAt", "updatedAt")
       SELECT pool, 'pool-' || lpad(n::text, 5, '0'), 'default', 'Local', id, '/var/lib/carve/pool-' || n, 'Up', $1::bigint, $1::bigint, now(), now() FROM hmap`,
      [10_000 * GIB],
    );
    await q(`INSERT INTO "PoolHost" ("poolId", "hostId") SELECT pool, id FROM hmap`);
    await q(`INSERT INTO "TemplateCopy" ("templateId", "poolId", "volumeName") SELECT (SELECT id FROM "Template" WHERE name = 'tiny'), pool, 'tiny.qcow2' FROM hmap`);
    await q(`INSERT INTO "User" (id, username, source, role, "updatedAt") SELECT id, 'user-' || lpad(n::text, 5, '0'), 'Local', 'User', now() FROM umap`);
    await q(`INSERT INTO "User" (id, username, source, role, "updatedAt") VALUES (gen_random_uuid(), 'heavy', 'Local', 'User', now()), (gen_random_uuid(), 'admin', 'Local', 'Admin', now())`);
    if (options.quotas) {
      await q(`INSERT INTO "Quota" (id, "userId", "maxVms", "maxVcpus", "maxMemMiB", "maxStorGiB") SELECT gen_random_uuid(), id, 100000, 100000, 100000000, 10000000 FROM "User"`);
    }
    // VMs: the first `spread` round-robin over users, the rest owned by `heavy`; hosts round-robin.
    // createdAt one second apart, newest first by index, so pages are well defined.
    await q(
      `INSERT INTO "Vm" (id, name, "liveName", "ownerId", "hostId", "templateId", "offeringId", state, vcpus, "memoryMiB", "createdAt", "updatedAt")
       SELECT v.id, 'vm-' || v.i, 'vm-' || v.i,
              CASE WHEN v.i < $1::int THEN u.id ELSE (SELECT id FROM "User" WHERE username = 'heavy') END,
              h.id, (SELECT id FROM "Template" WHERE name = 'tiny'), (SELECT id FROM "ServiceOffering" WHERE name = 'small'),
              'Running', 1, 512, now() - make_interval(secs => $2::int - v.i), now()
         FROM vmap v JOIN hmap h ON h.n = v.i % $3::int JOIN umap u ON u.n = v.i % $4::int`,
      [spread, options.vms, options.hosts, options.users],
    );
    await q(
      `INSERT INTO "Volume" (id, name, kind, "vmId", "ownerId", "poolId", "libvirtName", "sizeGiB", state, "createdAt", "updatedAt")
       SELECT v.vol, vm.name || '-root', 'Root', v.id, vm."ownerId", h.pool, 'carve-' || v.vol || '.qcow2', 1, 'Attached', vm."createdAt", now()
         FROM vmap v JOIN "Vm" vm ON vm.id = v.id JOIN hmap h ON h.id = vm."hostId"`,
    );
    await q(
      `INSERT INTO "Job" (id, kind, state, progress, step, "actorId", "vmId", "hostId", "createdAt", "startedAt", "finishedAt")
       SELECT v.job, 'vm.create', 'Succeeded', 100, 'done', vm."ownerId", v.id, vm."hostId", vm."createdAt", vm."createdAt", vm."createdAt" FROM vmap v JOIN "Vm" vm ON vm.id = v.id`,
    );
    await q(
      `INSERT INTO "Event" (type, "actorId", "vmId", "hostId", "jobId", "toState", message, at)
       SELECT 'vm.state', vm."ownerId", v.id, vm."hostId", v.job, 'Running', vm.name || ' is Running', vm."createdAt" FROM vmap v JOIN "Vm" vm ON vm.id = v.id`,
    );
    // Capacity accounted exactly as core would have reserved it.
    await q(
      `UPDATE "Host" h SET "vcpusAllocated" = c.vcpus, "memMiBAllocated" = c.mem
         FROM (SELECT "hostId", sum(vcpus)::int AS vcpus, sum("memoryMiB")::int AS mem FROM "Vm" GROUP BY 1) c WHERE h.id = c."hostId"`,
    );
    await q(
      `UPDATE "StoragePool" p SET "reservedBytes" = c.gib * $1::bigint
         FROM (SELECT "poolId", sum("sizeGiB")::bigint AS gib FROM "Volume" GROUP BY 1) c WHERE p.id = c."poolId"`,
      [GIB],
    );
    await q("COMMIT");
    await q("ANALYZE");
    return { seconds: (performance.now() - started) / 1000, rows: options.hosts * 4 + options.users + options.vms * 4 };
  } catch (error) {
    await q("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
