import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CleanupStack } from '../lib/hypervisor/cleanup.ts';
import { readConsoleLog, waitForConsoleLine } from '../lib/hypervisor/console-log.ts';
import { ensureDirPool, removeDirPool } from '../lib/hypervisor/libvirtd.ts';
import { E2E_VAR_DIR, TINY_IMAGE_CACHE_DIR } from '../lib/hypervisor/paths.ts';
import { createOverlayVolume, importVolume } from '../lib/hypervisor/pool-volumes.ts';
import { giveToSessionUser, startSessionDaemon } from '../lib/hypervisor/session-daemon.ts';
import { tinyDomainXml } from '../lib/hypervisor/tiny-domain.ts';
import { buildTinyImage, TINY_BOOT_MARKER, TINY_TICK_PREFIX } from '../lib/hypervisor/tiny-image.ts';
import { virsh, virshMaybe } from '../lib/hypervisor/virsh.ts';
import { escapeXml } from '../lib/hypervisor/xml.ts';

const TICK = new RegExp(`^${TINY_TICK_PREFIX} (\\d+)$`);

function ticks(log: string): number[] {
  return log.split(/\r?\n/).flatMap((line) => {
    const n = TICK.exec(line.trim())?.[1];
    return n === undefined ? [] : [Number(n)];
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// Harness smoke test for the storage/migration lane: two session daemons on this machine act as
// two hosts sharing a directory pool (a stand-in for NFS).
describe('real hypervisor: two session libvirtd daemons as two hosts', () => {
  const cleanup = new CleanupStack();
  afterEach(() => cleanup.run());

  it('live-migrates a running tiny VM whose serial console keeps counting on the target', async () => {
    const id = randomBytes(4).toString('hex');
    const name = `carve-e2e-${id}`;
    const image = await buildTinyImage(TINY_IMAGE_CACHE_DIR);

    const [src, dst] = await Promise.all([startSessionDaemon(`src-${id}`), startSessionDaemon(`dst-${id}`)]);
    cleanup.push('remove daemon dirs', () =>
      Promise.all([rm(src.baseDir, { recursive: true, force: true }), rm(dst.baseDir, { recursive: true, force: true })]),
    );
    cleanup.push('stop daemons', () => Promise.all([src.stop(), dst.stop()]));
    expect(src.hostUuid).not.toBe(dst.hostUuid);

    const sharedPath = join(E2E_VAR_DIR, 'e2e', `shared-${id}`);
    await giveToSessionUser(sharedPath);
    const owner = { uid: src.uid, gid: src.gid };
    const srcPool = await ensureDirPool(`shared-${id}`, sharedPath, src.uri, owner);
    const dstPool = await ensureDirPool(`shared-${id}`, sharedPath, dst.uri, owner);
    cleanup.push('remove shared pool', async () => {
      await removeDirPool(dstPool, dst.uri);
      await removeDirPool(srcPool, src.uri);
    });
    const templateVol = `tmpl-${id}.qcow2`;
    await importVolume(srcPool, image.qcow2Path, templateVol, src.uri);
    const diskPath = await createOverlayVolume(srcPool, `${name}-root.qcow2`, templateVol, image.capacityBytes, src.uri);
    await virsh(dst.uri, ['pool-refresh', dstPool.name]);

    const xmlDir = await mkdtemp(join(tmpdir(), 'carve-e2e-'));
    cleanup.push('delete xml files', () => rm(xmlDir, { recursive: true, force: true }));
    const srcLog = join(src.consoleDir, `${name}.log`);
    const dstLog = join(dst.consoleDir, `${name}.log`);
    await writeFile(join(xmlDir, 'src.xml'), tinyDomainXml({ name, uuid: randomUUID(), diskPath, consoleLogPath: srcLog }));
    await virsh(src.uri, ['define', join(xmlDir, 'src.xml')]);
    cleanup.push('destroy and undefine domain on both hosts', async () => {
      for (const uri of [src.uri, dst.uri]) {
        await virshMaybe(uri, ['destroy', name]);
        await virshMaybe(uri, ['undefine', name]);
      }
    });
    await virsh(src.uri, ['start', name]);
    await waitForConsoleLine(srcLog, TINY_BOOT_MARKER, 60_000);
    await waitForConsoleLine(srcLog, new RegExp(`^${TINY_TICK_PREFIX} 3$`), 15_000);

    // The target gets its own console log path: each host's virtlogd writes its own file.
    const migratable = await virsh(src.uri, ['dumpxml', '--migratable', name]);
    // (libvirt repeats the serial port's <log> under <console>, hence replaceAll.)
    expect(migratable).toContain(escapeXml(srcLog));
    await writeFile(join(xmlDir, 'dst.xml'), migratable.replaceAll(escapeXml(srcLog), escapeXml(dstLog)));
    const port = await freePort();
    const migrateStarted = performance.now();
    await virsh(src.uri, [
      'migrate', '--live', '--persistent', '--undefinesource',
      // The shared directory is local storage to libvirt; real NFS would not need --unsafe.
      '--unsafe',
      name, dst.uri, '--migrateuri', `tcp://127.0.0.1:${port}`, '--xml', join(xmlDir, 'dst.xml'),
    ]);
    const migrateMs = Math.round(performance.now() - migrateStarted);

    expect(await virsh(dst.uri, ['domstate', name])).toBe('running');
    expect(await virshMaybe(src.uri, ['dominfo', name])).toBeNull();
    const lastOnSource = Math.max(...ticks(await readConsoleLog(srcLog)));
    await waitForConsoleLine(dstLog, new RegExp(`^${TINY_TICK_PREFIX} ${lastOnSource + 2}$`), 15_000);
    const onTarget = await readConsoleLog(dstLog);
    // Same guest, still counting: no second boot, and the count carries on from the source.
    expect(onTarget).not.toContain(TINY_BOOT_MARKER);
    expect(ticks(onTarget)[0]).toBe(lastOnSource + 1);

    console.info(
      `[real-hypervisor] session daemons started in ${src.startMs} / ${dst.startMs} ms; ` +
        `live migration of a 256 MiB guest ${migrateMs} ms; last tick on source ${lastOnSource}`,
    );
  });
});
