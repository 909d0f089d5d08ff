// A writer for the "newc" cpio format the Linux kernel unpacks as an initramfs. Writing it here
// instead of with cpio(1) lets the archive hold device nodes and root ownership without root
// privileges or mknod, and makes it byte-for-byte reproducible (every mtime is 0).

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer | string; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'char'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function record(ino: number, name: string, mode: number, data: Buffer, rdev: [number, number] = [0, 0]): Buffer {
  if (name.includes('\0')) throw new Error(`cpio: NUL in path ${JSON.stringify(name)}`);
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return Buffer.concat([header, nameBytes, pad4(header.length + nameBytes.length), data, pad4(data.length)]);
}

/** Serialises entries (paths relative to the archive root, no leading slash) into a newc archive. */
export function buildNewcArchive(entries: readonly CpioEntry[]): Buffer {
  const parts = entries.map((entry, i) => {
    const ino = i + 1;
    switch (entry.kind) {
      case 'dir':
        return record(ino, entry.path, S_IFDIR | (entry.mode ?? 0o755), Buffer.alloc(0));
      case 'file':
        return record(ino, entry.path, S_IFREG | (entry.mode ?? 0o644), Buffer.from(entry.data));
      case 'symlink':
        return record(ino, entry.path, S_IFLNK | 0o777, Buffer.from(entry.target, 'utf8'));
      case 'char':
        return record(ino, entry.path, S_IFCHR | (entry.mode ?? 0o600), Buffer.alloc(0), [entry.major, entry.minor]);
    }
  });
  parts.push(record(0, 'TRAILER!!!', 0, Buffer.alloc(0)));
  return Buffer.concat(parts);
}
