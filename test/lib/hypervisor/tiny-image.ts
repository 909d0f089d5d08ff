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
/** Printed as `CARVE-TINY-IP <address>` on ttyS0 when the guest's DHCP client gets a lease. */
export const TINY_IP_PREFIX = 'CARVE-TINY-IP';
/** Printed when the guest has no NIC (it then boots and ticks as before, without networking). */
export const TINY_NO_NIC = 'CARVE-TINY-NONIC';
/**
 * The guest's TCP listener (busybox httpd, here and on TINY_SSH_PORT): `GET /` answers
 * `<hostname> <address>` (the name and address of its lease), and `GET /cgi-bin/probe?<ip>:<port>`
 * makes the guest itself GET `http://<ip>:<port>/` and answer `OK <what that guest said>` or
 * `FAIL <ip>:<port> <nc's error>`, which is how a test on the host sees guest-to-guest traffic.
 */
export const TINY_HTTP_PORT = 8080;
/** The same listener on the SSH port, the one a security group's default rules open. */
export const TINY_SSH_PORT = 22;
export const TINY_PROBE_PATH = '/cgi-bin/probe';
/** The shell prompt on tty1 (the VGA text console, typed into through VNC's keyboard). */
export const TINY_TTY1_PROMPT = 'carve-tiny# ';

/** Bump when the recipe changes in a way the content key below cannot see. */
const RECIPE_VERSION = 3;

/**
 * The cloud kernel has virtio-net as modules; these are loaded in this order (modules.dep of
 * 6.1's cloud kernel: virtio_net needs net_failover, failover, virtio and virtio_ring; virtio_pci
 * needs both virtio_pci_*_dev, virtio and virtio_ring).
 */
const NET_MODULES = [
  'drivers/virtio/virtio_ring.ko',
  'drivers/virtio/virtio.ko',
  'drivers/virtio/virtio_pci_legacy_dev.ko',
  'drivers/virtio/virtio_pci_modern_dev.ko',
  'drivers/virtio/virtio_pci.ko',
  'net/core/failover.ko',
  'drivers/net/net_failover.ko',
  'drivers/net/virtio_net.ko',
] as const;
const moduleFile = (relative: string): string => relative.slice(relative.lastIndexOf('/') + 1);

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
/etc/carve-net &
# A root shell on tty1, the VGA text console (vgacon, the i8042 keyboard and atkbd are built into
# the cloud kernel): what a console user sees and types into; it comes back when it exits.
echo "${TINY_BOOT_MARKER}" > /dev/tty1
(while :; do PS1='${TINY_TTY1_PROMPT}' setsid -c sh -i </dev/tty1 >/dev/tty1 2>&1; done) &
n=0
while :; do
  n=$((n + 1))
  echo "${TINY_TICK_PREFIX} $n"
  sleep 1
done
`;

// Networking runs beside the ticks, so a guest without a NIC boots and ticks exactly as before.
const NET_SCRIPT = `#!/bin/sh
for m in ${NET_MODULES.map(moduleFile).join(' ')}; do
  insmod /lib/modules/$m || echo "CARVE-TINY-NET insmod $m failed"
done
ip link set lo up
echo "$(hostname)" > /www/index.html
httpd -p ${TINY_HTTP_PORT} -h /www
httpd -p ${TINY_SSH_PORT} -h /www
i=0
while [ ! -e /sys/class/net/eth0 ]; do
  i=$((i + 1))
  if [ $i -gt 50 ]; then echo "${TINY_NO_NIC}"; exit 0; fi
  usleep 100000
done
# -b: keep asking in the background until a lease comes (the DHCP host entry may come late).
exec udhcpc -i eth0 -s /etc/udhcpc.script -b -t 5 -T 2 -A 1 >/dev/null 2>&1
`;

// udhcpc runs this with deconfig | bound | renew | leasefail | nak; the lease is in the environment
// (mask is the prefix length). It writes to ttyS0 itself: udhcpc has closed its stdout by then.
const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig)
    ip link set "$interface" up
    ip -4 addr flush dev "$interface"
    ;;
  bound|renew)
    ip addr replace "$ip/\${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "\${router%% *}" dev "$interface"
    [ -n "$hostname" ] && hostname "$hostname"
    echo "$(hostname) $ip" > /www/index.html
    [ "$1" = bound ] && echo "${TINY_IP_PREFIX} $ip" > /dev/ttyS0
    ;;
esac
exit 0
`;

const PROBE_CGI = `#!/bin/sh
target="\${QUERY_STRING%%&*}"
case "$target" in
  ""|*[!0-9.:]*) printf 'Status: 400 Bad Request\\r\\nContent-Type: text/plain\\r\\n\\r\\nusage: ?<ip>:<port>\\n'; exit 0 ;;
esac
printf 'Content-Type: text/plain\\r\\n\\r\\n'
# nc, not wget: Debian's static busybox wget segfaults on every fetch.
if out=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 "\${target%:*}" "\${target##*:}" 2>&1); then
  echo "OK $(echo "$out" | tr -d '\\r' | sed '1,/^$/d')" | tr '\\n' ' '
else
  echo "FAIL $target $out" | tr '\\n' ' '
fi
echo
`;

// Kernel messages go to both consoles; the last console= (ttyS0) becomes /dev/console, so the serial
// log keeps everything it had before the VGA console was added.
const SYSLINUX_CFG = `SERIAL 0 115200
DEFAULT carve
PROMPT 0
TIMEOUT 0
LABEL carve
  KERNEL VMLINUZ
  APPEND initrd=INITRD.GZ console=tty0 console=ttyS0,115200 quiet
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

function initramfs(busybox: Buffer, modules: ReadonlyMap<string, Buffer>): Buffer {
  const cpio = buildNewcArchive([
    { kind: 'dir', path: 'bin' },
    { kind: 'dir', path: 'dev' },
    { kind: 'dir', path: 'etc' },
    { kind: 'dir', path: 'lib' },
    { kind: 'dir', path: 'lib/modules' },
    { kind: 'dir', path: 'proc' },
    { kind: 'dir', path: 'sys' },
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    { kind: 'dir', path: 'www' },
    { kind: 'dir', path: 'www/cgi-bin' },
    // The kernel opens /dev/console for PID 1 before devtmpfs is mounted.
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'char', path: 'dev/null', major: 1, minor: 3, mode: 0o666 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'file', path: 'init', data: INIT_SCRIPT, mode: 0o755 },
    { kind: 'file', path: 'etc/carve-net', data: NET_SCRIPT, mode: 0o755 },
    { kind: 'file', path: 'etc/udhcpc.script', data: UDHCPC_SCRIPT, mode: 0o755 },
    { kind: 'file', path: 'www/cgi-bin/probe', data: PROBE_CGI, mode: 0o755 },
    ...[...modules].map(([name, data]) => ({ kind: 'file' as const, path: `lib/modules/${name}`, data })),
  ]);
  return gzipSync(cpio, { level: 9 });
}

/** The virtio-net modules of the kernel at `kernelPath` (vmlinuz-<version> → /lib/modules/<version>). */
async function netModules(kernelPath: string): Promise<Map<string, Buffer>> {
  const version = /vmlinuz-(.+)$/.exec(kernelPath)?.[1];
  if (!version) throw new Error(`Cannot tell the kernel version of ${kernelPath} (expected …/vmlinuz-<version>) to find its virtio-net modules`);
  const dir = join('/lib/modules', version, 'kernel');
  const modules = new Map<string, Buffer>();
  for (const relative of NET_MODULES) {
    const data = await readFile(join(dir, relative)).catch(() => {
      throw new Error(`No ${join(dir, relative)} (uncompressed): the tiny image needs the virtio-net modules of ${kernelPath}; reinstall its package (linux-image-cloud-amd64)`);
    });
    modules.set(moduleFile(relative), data);
  }
  return modules;
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
 * prints TINY_BOOT_MARKER then a TINY_TICK_PREFIX heartbeat every second on ttyS0. Beside the
 * ticks it loads virtio-net, serves TINY_HTTP_PORT, asks DHCP for an address on eth0 and prints
 * `TINY_IP_PREFIX <address>` when it has one (TINY_NO_NIC when the domain has no NIC).
 * No download, no loop mount, no root needed. Cached by a hash of every input.
 */
export async function buildTinyImage(cacheDir: string, opts: TinyImageOptions = {}): Promise<TinyImage> {
  const started = performance.now();
  const kernelPath = opts.kernelPath ?? (await newestCloudKernel());
  const busyboxPath = opts.busyboxPath ?? '/bin/busybox';
  const [kernel, modules, busybox, syslinuxBin] = await Promise.all([
    readFile(kernelPath),
    netModules(kernelPath),
    readFile(busyboxPath).catch(() => {
      throw new Error(`No static busybox at ${busyboxPath}: install it with \`apt-get install -y busybox-static\``);
    }),
    readFile((await findCommand('syslinux')) ?? '/usr/bin/syslinux').catch(() => Buffer.alloc(0)),
  ]);
  const guestScripts = [INIT_SCRIPT, NET_SCRIPT, UDHCPC_SCRIPT, PROBE_CGI];
  const moduleBytes = [...modules.values()].reduce((sum, data) => sum + data.length, 0);
  // gzip shrinks busybox to about half; modules and scripts are counted uncompressed, so the fit stays safe.
  const sizeKiB = opts.sizeKiB ?? fitSizeKiB(kernel.length + busybox.length / 2 + moduleBytes + guestScripts.join('').length);

  const hash = createHash('sha256')
    .update(JSON.stringify({ RECIPE_VERSION, sizeKiB, SYSLINUX_CFG, guestScripts }))
    .update(kernel)
    .update(busybox)
    .update(syslinuxBin);
  for (const data of modules.values()) hash.update(data);
  const key = hash.digest('hex').slice(0, 24);
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
    await writeFile(join(work, 'INITRD.GZ'), initramfs(busybox, modules));
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
