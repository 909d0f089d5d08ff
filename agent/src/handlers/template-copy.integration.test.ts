import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { envelope, type TJobPayload } from "@carve/protocol";
import { startTestAgent, TEST_POOL, type TTestAgent } from "../testing/index.ts";

const MIB = 1024 * 1024;
let dir: string;
let image: string;
let imageSha256: string;
let t: TTestAgent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "carve-template-copy-"));
  image = join(dir, "image.qcow2");
  await promisify(execFile)("qemu-img", ["create", "-q", "-f", "qcow2", image, "64M"]);
  imageSha256 = createHash("sha256").update(await readFile(image)).digest("hex");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  t = await startTestAgent({ redisUrl: process.env.REDIS_URL });
});
afterEach(async () => {
  await t?.close();
});

async function payload(overrides: Partial<TJobPayload<"template.copy">> = {}): Promise<TJobPayload<"template.copy">> {
  const templateId = randomUUID();
  return {
    templateId,
    pool: TEST_POOL,
    volume: `template-${templateId}.qcow2`,
    format: "qcow2",
    sizeBytes: (await stat(image)).size,
    capacityBytes: 64 * MIB,
    sha256: imageSha256,
    source: { path: image },
    ...overrides,
  };
}

describe("template.copy on libvirt's test driver", () => {
  it("imports the image as a volume of its capacity, and converges when delivered again", async () => {
    const copy = await payload();
    const job = await t.submit("template.copy", envelope("template.copy", randomUUID(), copy));
    const outcome = await t.outcome(job);
    const path = join(t.node.pools[0]?.path ?? "", copy.volume);
    expect(outcome).toEqual({ state: "completed", result: { templateId: copy.templateId, pool: TEST_POOL, volume: copy.volume, path, alreadyPresent: false } });
    expect(await t.agent.hypervisor.listVolumes(TEST_POOL)).toContain(copy.volume);

    await expect(t.run("template.copy", copy)).resolves.toMatchObject({ path, alreadyPresent: true });
    // A volume of another capacity (an interrupted import) is replaced, not taken for the copy.
    await expect(t.run("template.copy", { ...copy, capacityBytes: 128 * MIB })).resolves.toMatchObject({ alreadyPresent: false });
    expect((await t.agent.hypervisor.listVolumes(TEST_POOL)).filter((v) => v === copy.volume)).toHaveLength(1);
  });

  it("fails at once, naming the store, when the image is not readable on the host", async () => {
    const copy = await payload({ source: { path: join(dir, "gone.qcow2") } });
    const outcome = await t.outcome(await t.submit("template.copy", envelope("template.copy", randomUUID(), copy)));
    expect(outcome).toMatchObject({ state: "failed", attemptsMade: 1 });
    expect(outcome.state === "failed" && outcome.reason).toMatch(/gone\.qcow2 is not readable on this host.*CARVE_TEMPLATE_STORE/);
    expect(await t.agent.hypervisor.listVolumes(TEST_POOL)).not.toContain(copy.volume);
  });

  it("refuses an image whose sha256 is not the one downloaded, naming both", async () => {
    const copy = await payload({ sha256: "a".repeat(64) });
    const outcome = await t.outcome(await t.submit("template.copy", envelope("template.copy", randomUUID(), copy)));
    expect(outcome).toMatchObject({ state: "failed", attemptsMade: 1 });
    expect(outcome.state === "failed" && outcome.reason).toContain(`has sha256 ${imageSha256}, not ${"a".repeat(64)}`);
    expect(await t.agent.hypervisor.listVolumes(TEST_POOL)).not.toContain(copy.volume);
  });
});
