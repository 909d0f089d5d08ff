import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildNewcArchive } from './cpio.ts';
import { findCommand, run } from './run.ts';

/** Printed once on ttyS0 when the guest's userspace is up. */
export const TINY_BOOT_MARKER = 'CARVE-TINY-BOOTED';
/** Printed as `CARVE-TINY-TICK <n>` every second after the marker, forever. */
export const TINY_TICK_PREFIX = 'CARVE-TINY-TICK';

/** Bump when the recipe changes in a way the content key below cannot see. */
const RECIPE_VERSION = 1;

export interface TinyImageOptions {
  /** Kernel to boot; default: the newest /boot/vmlinuz-*-cloud-amd64 (linux-image-cloud-amd64). */
  kernelPath?: string;
  /** Static busybox for the initramfs; default /bin/busybox (busybox-static). */
  busyboxPath?: string;
  /** FAT image size in KiB; default: just enough for kernel + initramfs + syslinux. */
  sizeKiB?: number;
}

export interface TinyImage {
  /** Bootable FAT "superfloppy" (syslinux in its boot sector). */
  rawPath: string;
  /** The same disk converted to qcow2: the template to clone or back overlays with. */
  qcow2Path: string;
  /** Virtual size of the disk in bytes (an overlay must be at least this big). */
  capacityBytes: number;
  /** The line the guest prints on its serial console once booted. */
  marker: string;
  /** False when the image came from the cache. */
  built: boolean;
  /** Wall time of this call (build or cache hit). */
  elapsedMs: number;
}

// PID 1 of the guest. It writes to /dev/ttyS0 itself rather than to the console so that the
// marker shows up even when the kernel command line is changed to another console.
const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec >/dev/ttyS0 2>&1 </dev/null
echo "${TINY_BOOT_MARKER}"
n=0
while :; do
  n=$((n + 1))
  echo "${TINY_TICK_PREFIX} $n"
  sleep 1
done
`;

const SYSLINUX_CFG = `SERIAL 0 115200
DEFAULT carve
PROMPT 0
TIMEOUT 0
LABEL carve
  KERNEL VMLINUZ
  APPEND initrd=INITRD.GZ console=ttyS0,115200 quiet
`;

async function newestCloudKernel(): Promise<string> {
  const names = (await readdir('/boot')).filter((n) => /^vmlinuz-.*-cloud-amd64$/.test(n));
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const newest = names.at(-1);
  if (!newest) {
    throw new Error('No /boot/vmlinuz-*-cloud-amd64 kernel: install it with `apt-get install -y linux-image-cloud-amd64`');
  }
  return join('/boot', newest);
}

async function requireTools(): Promise<void> {
  const needed: Array<[string, string]> = [
    ['mkfs.vfat', 'dosfstools'],
    ['syslinux', 'syslinux syslinux-common'],
    ['mcopy', 'mtools'],
    ['qemu-img', 'qemu-utils'],
  ];
  const missing: string[] = [];
  for (const [command, pkg] of needed) if (!(await findCommand(command))) missing.push(`${command} (apt package ${pkg})`);
  if (missing.length > 0) throw new Error(`Cannot build the tiny image, missing: ${missing.join(', ')}`);
}

function initramfs(busybox: Buffer): Buffer {
  const cpio = buildNewcArchive([
    { kind: 'dir', path: 'bin' },
    { kind: 'dir', path: 'dev' },
    { kind: 'dir', path: 'proc' },
    { kind: 'dir', path: 'sys' },
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    // The kernel opens /dev/console for PID 1 before devtmpfs is mounted.
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'char', path: 'dev/null', major: 1, minor: 3, mode: 0o666 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'file', path: 'init', data: INIT_SCRIPT, mode: 0o755 },
  ]);
  return gzipSync(cpio, { level: 9 });
}

/** Smallest FAT size (KiB, whole MiB) holding the files plus syslinux and the FAT's own tables. */
function fitSizeKiB(payloadBytes: number): number {
  const syslinuxAndSlack = 512 * 1024;
  const withFatOverhead = (payloadBytes + syslinuxAndSlack) * 1.02;
  return Math.ceil(withFatOverhead / (1024 * 1024)) * 1024;
}

/**
 * Builds (or takes from `cacheDir`) a tiny bootable disk made only from Debian packages already
 * on the machine: a FAT image with syslinux, a cloud kernel and a busybox initramfs whose init
 * prints TINY_BOOT_MARKER then a TINY_TICK_PREFIX heartbeat every second on ttyS0.
 * No download, no loop mount, no root needed. Cached by a hash of every input.
 */
export async function buildTinyImage(cacheDir: string, opts: TinyImageOptions = {}): Promise<TinyImage> {
  const started = performance.now();
  const kernelPath = opts.kernelPath ?? (await newestCloudKernel());
  const busyboxPath = opts.busyboxPath ?? '/bin/busybox';
  const [kernel, busybox, syslinuxBin] = await Promise.all([
    readFile(kernelPath),
    readFile(busyboxPath).catch(() => {
      throw new Error(`No static busybox at ${busyboxPath}: install it with \`apt-get install -y busybox-static\``);
    }),
    readFile((await findCommand('syslinux')) ?? '/usr/bin/syslinux').catch(() => Buffer.alloc(0)),
  ]);
  // gzip shrinks busybox to about half; budget for it uncompressed and the fit stays safe.
  const sizeKiB = opts.sizeKiB ?? fitSizeKiB(kernel.length + busybox.length / 2 + INIT_SCRIPT.length);

  const key = createHash('sha256')
    .update(JSON.stringify({ RECIPE_VERSION, sizeKiB, SYSLINUX_CFG, INIT_SCRIPT }))
    .update(kernel)
    .update(busybox)
    .update(syslinuxBin)
    .digest('hex')
    .slice(0, 24);
  const finalDir = join(cacheDir, key);
  const result = (built: boolean): TinyImage => ({
    rawPath: join(finalDir, 'disk.img'),
    qcow2Path: join(finalDir, 'disk.qcow2'),
    capacityBytes: sizeKiB * 1024,
    marker: TINY_BOOT_MARKER,
    built,
    elapsedMs: Math.round(performance.now() - started),
  });
  if (await stat(join(finalDir, 'disk.qcow2')).then(() => true, () => false)) return result(false);

  await requireTools();
  // Build in a private folder and rename it into place, so concurrent builders never see a
  // half-written image and the loser of a race simply throws its copy away.
  const work = join(cacheDir, `.build-${randomBytes(6).toString('hex')}`);
  await mkdir(work, { recursive: true });
  try {
    const raw = join(work, 'disk.img');
    await writeFile(join(work, 'INITRD.GZ'), initramfs(busybox));
    await writeFile(join(work, 'SYSLINUX.CFG'), SYSLINUX_CFG);
    await run('mkfs.vfat', ['-C', '-n', 'CARVETINY', raw, String(sizeKiB)]);
    await run('syslinux', ['--install', raw]);
    const mtoolsEnv = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    await run('mcopy', ['-i', raw, kernelPath, '::VMLINUZ'], { env: mtoolsEnv });
    await run('mcopy', ['-i', raw, join(work, 'INITRD.GZ'), '::INITRD.GZ'], { env: mtoolsEnv });
    await run('mcopy', ['-i', raw, join(work, 'SYSLINUX.CFG'), '::SYSLINUX.CFG'], { env: mtoolsEnv });
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, join(work, 'disk.qcow2')]);
    await rm(join(work, 'INITRD.GZ'));
    await rm(join(work, 'SYSLINUX.CFG'));
    await writeFile(
      join(work, 'meta.json'),
      `${JSON.stringify({ key, kernelPath, busyboxPath, sizeKiB, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    try {
      await rename(work, finalDir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return result(true);
}
