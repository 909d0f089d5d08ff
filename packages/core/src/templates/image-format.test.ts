import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectImageFormat } from "./image-format.ts";

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "carve-image-format-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("detectImageFormat", () => {
  it("reads a qcow2 and its virtual size from the header, whatever the file is called", async () => {
    const path = join(dir, "disk.raw");
    await run("qemu-img", ["create", "-q", "-f", "qcow2", path, "3G"]);
    expect(await detectImageFormat(path)).toEqual({ format: "qcow2", virtualSizeBytes: 3 * 1024 ** 3 });
  });

  it("recognises an ISO 9660 image by its volume descriptor", async () => {
    const content = join(dir, "content");
    await mkdir(content);
    await writeFile(join(content, "meta-data"), "instance-id: test\n");
    const path = join(dir, "seed.qcow2");
    await run("genisoimage", ["-quiet", "-output", path, "-volid", "cidata", "-joliet", "-rock", content]);
    expect(await detectImageFormat(path)).toMatchObject({ format: "iso" });
  });

  it("takes anything else as raw, sized by the file, even a file too short for the ISO check", async () => {
    const path = join(dir, "tiny.iso");
    await writeFile(path, Buffer.from("QFI"));
    expect(await detectImageFormat(path)).toEqual({ format: "raw", virtualSizeBytes: 3 });
  });

  it("refuses a tar archive (an OVA) instead of taking it for a raw disk", async () => {
    const path = join(dir, "appliance.ova");
    const header = Buffer.alloc(1024);
    header.write("appliance.ovf", 0, "ascii");
    header.write("ustar\u000000", 257, "ascii");
    await writeFile(path, header);
    await expect(detectImageFormat(path)).rejects.toThrow(/the file is a tar archive \(an OVA\?\), not a disk image; .*qemu-img convert/);
  });

  it("refuses a compressed image, saying how to fix it", async () => {
    const path = join(dir, "disk.img");
    await writeFile(path, gzipSync(Buffer.alloc(4096)));
    await expect(detectImageFormat(path)).rejects.toThrow(/gzip archive, not a disk image.*qemu-img convert/);
  });
});
