import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CleanupStack } from '../lib/hypervisor/cleanup.ts';
import { waitForConsoleLine } from '../lib/hypervisor/console-log.ts';
import { ensureDirPool, ensureLibvirtd, removeDirPool } from '../lib/hypervisor/libvirtd.ts';
import { CONSOLE_LOG_DIR, E2E_POOL_ROOT, TINY_IMAGE_CACHE_DIR } from '../lib/hypervisor/paths.ts';
import { createOverlayVolume, deleteVolume, importVolume } from '../lib/hypervisor/pool-volumes.ts';
import { tinyDomainXml } from '../lib/hypervisor/tiny-domain.ts';
import { buildTinyImage, TINY_BOOT_MARKER, TINY_TICK_PREFIX } from '../lib/hypervisor/tiny-image.ts';
import { virsh, virshMaybe } from '../lib/hypervisor/virsh.ts';

describe('real hypervisor: libvirtd + QEMU (TCG)', () => {
  const cleanup = new CleanupStack();
  afterEach(() => cleanup.run());

  it('boots the self-built tiny image from a copy-on-write overlay and shows its serial console', async () => {
    const id = randomBytes(4).toString('hex');
    const name = `carve-e2e-${id}`;

    const daemon = await ensureLibvirtd();
    const { uri } = daemon;
    const image = await buildTinyImage(TINY_IMAGE_CACHE_DIR);

    const pool = await ensureDirPool(name, join(E2E_POOL_ROOT, id), uri);
    cleanup.push('remove pool', () => removeDirPool(pool, uri));
    const templateVol = `tmpl-${id}.qcow2`;
    await importVolume(pool, image.qcow2Path, templateVol, uri);
    const rootVol = `${name}-root.qcow2`;
    const diskPath = await createOverlayVolume(pool, rootVol, templateVol, image.capacityBytes, uri);
    cleanup.push('delete root volume', () => deleteVolume(pool, rootVol, uri));

    await mkdir(CONSOLE_LOG_DIR, { recursive: true, mode: 0o755 });
    const consoleLogPath = join(CONSOLE_LOG_DIR, `${name}.log`);
    cleanup.push('delete console and qemu logs', async () => {
      await rm(consoleLogPath, { force: true });
      await rm(join('/var/log/libvirt/qemu', `${name}.log`), { force: true });
    });
    const xmlDir = await mkdtemp(join(tmpdir(), 'carve-e2e-'));
    cleanup.push('delete domain xml', () => rm(xmlDir, { recursive: true, force: true }));
    const xmlPath = join(xmlDir, 'domain.xml');
    await writeFile(xmlPath, tinyDomainXml({ name, uuid: randomUUID(), diskPath, consoleLogPath }));

    await virsh(uri, ['define', xmlPath]);
    cleanup.push('destroy and undefine domain', async () => {
      await virshMaybe(uri, ['destroy', name]);
      await virshMaybe(uri, ['undefine', name]);
    });
    const startedAt = performance.now();
    await virsh(uri, ['start', name]);
    const startMs = Math.round(performance.now() - startedAt);

    const booted = await waitForConsoleLine(consoleLogPath, TINY_BOOT_MARKER, 60_000);
    expect(booted.line).toBe(TINY_BOOT_MARKER);
    // The heartbeat proves the guest keeps running rather than printing once and dying.
    await waitForConsoleLine(consoleLogPath, new RegExp(`^${TINY_TICK_PREFIX} 2$`), 15_000);
    expect(await virsh(uri, ['domstate', name])).toBe('running');

    const destroyedAt = performance.now();
    await virsh(uri, ['destroy', name]);
    const destroyMs = Math.round(performance.now() - destroyedAt);
    await virsh(uri, ['undefine', name]);
    await virsh(uri, ['vol-delete', '--pool', pool.name, rootVol]);
    expect(await virshMaybe(uri, ['dominfo', name])).toBeNull();
    expect(await virsh(uri, ['vol-list', '--pool', pool.name])).not.toContain(rootVol);

    console.info(
      `[real-hypervisor] libvirtd ${daemon.started ? `started in ${daemon.startMs} ms` : 'already running'}; ` +
        `tiny image ${image.built ? 'built' : 'from cache'} in ${image.elapsedMs} ms; ` +
        `virsh start ${startMs} ms; boot to marker ${booted.elapsedMs} ms after start; destroy ${destroyMs} ms`,
    );
  });
});
