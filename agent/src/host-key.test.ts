import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SEAL_PURPOSE_JOB_SECRET, sealFor } from "@carve/protocol";
import { loadHostKey, openJobSecret } from "./host-key.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "carve-host-key-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("loadHostKey", () => {
  it("makes the key once (mode 0600), then keeps it across restarts and concurrent starts", async () => {
    const dataDir = join(dir, "data");
    const [a, b] = await Promise.all([loadHostKey(dataDir), loadHostKey(dataDir)]);
    expect(a.publicKey).toBe(b.publicKey);
    expect(statSync(join(dataDir, "host-key.pem")).mode & 0o777).toBe(0o600);
    const again = await loadHostKey(dataDir);
    expect(again.publicKey).toBe(a.publicKey);
    expect(openJobSecret(again, sealFor(a.publicKey, "s3cret", SEAL_PURPOSE_JOB_SECRET))).toBe("s3cret");
  });

  it("refuses a key file that is not an X25519 private key, saying how to recover", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" });
    writeFileSync(join(dir, "host-key.pem"), rsa);
    await expect(loadHostKey(dir)).rejects.toThrow(/is a rsa key, not X25519: move it away and restart the agent/);
    writeFileSync(join(dir, "host-key.pem"), "garbage");
    await expect(loadHostKey(dir)).rejects.toThrow(/is not a private key/);
  });
});
