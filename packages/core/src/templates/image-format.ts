import { open } from "node:fs/promises";

/** What an image is, read from its bytes (never from its name). */
export interface TImageFormat {
  format: "qcow2" | "raw" | "iso";
  /** The disk size a guest sees: a qcow2's virtual size, otherwise the file's size. */
  virtualSizeBytes: number;
}

const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]); // "QFI\xfb"
const ISO_MAGIC = Buffer.from("CD001", "ascii");
/** ISO 9660's first volume descriptor starts at sector 16 (byte 32768); its id follows the type byte. */
const ISO_MAGIC_OFFSET = 32769;

/** Containers that are not disk images Carve can boot (what, its magic, the magic's offset); raw would be the wrong guess for them. */
const FOREIGN: readonly [string, Buffer, number][] = [
  ["a gzip archive", Buffer.from([0x1f, 0x8b]), 0],
  ["an xz archive", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 0],
  ["a bzip2 archive", Buffer.from("BZh", "ascii"), 0],
  ["a zstd archive", Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 0],
  ["a VMDK image", Buffer.from("KDMV", "ascii"), 0],
  ["a VHDX image", Buffer.from("vhdxfile", "ascii"), 0],
  // An OVA is a tar of an OVF and VMDKs; POSIX tar headers carry "ustar" at byte 257.
  ["a tar archive (an OVA?)", Buffer.from("ustar", "ascii"), 257],
];

/**
 * Detects qcow2 (magic "QFI\xfb"), ISO 9660 ("CD001" at byte 32769) or raw (anything else) from the
 * file's content. @throws Error with an actionable message for archives and foreign disk formats.
 */
export async function detectImageFormat(path: string): Promise<TImageFormat> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, ISO_MAGIC_OFFSET + ISO_MAGIC.length));
    await file.read(head, 0, head.length, 0);
    if (head.subarray(0, 4).equals(QCOW2_MAGIC) && head.length >= 32) {
      // The header's big-endian 64-bit size field (bytes 24–31).
      return { format: "qcow2", virtualSizeBytes: Number(head.readBigUInt64BE(24)) };
    }
    if (head.subarray(ISO_MAGIC_OFFSET, ISO_MAGIC_OFFSET + ISO_MAGIC.length).equals(ISO_MAGIC)) {
      return { format: "iso", virtualSizeBytes: size };
    }
    const foreign = FOREIGN.find(([, magic, at]) => head.subarray(at, at + magic.length).equals(magic));
    if (foreign) {
      throw new Error(`the file is ${foreign[0]}, not a disk image; Carve takes qcow2, raw or ISO images: unpack or convert it (e.g. 'qemu-img convert -O qcow2') and publish that.`);
    }
    return { format: "raw", virtualSizeBytes: size };
  } finally {
    await file.close();
  }
}
