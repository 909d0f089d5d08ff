import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openSecret, parseSecretKey, sealSecret } from "./secret-box.ts";

describe("secret box", () => {
  const key = randomBytes(32);

  it("round-trips a secret without the plaintext appearing in what is stored", () => {
    const sealed = sealSecret(key, "identity.directory.bindPassword", "hunter2-very-secret");
    expect(JSON.stringify(sealed)).not.toContain("hunter2");
    expect(openSecret(key, "identity.directory.bindPassword", sealed)).toBe("hunter2-very-secret");
  });

  it("refuses another key, another setting's label and a tampered value", () => {
    const sealed = sealSecret(key, "a", "secret");
    expect(() => openSecret(randomBytes(32), "a", sealed)).toThrow();
    expect(() => openSecret(key, "b", sealed)).toThrow();
    expect(() => openSecret(key, "a", { ...sealed, ct: Buffer.from("x").toString("base64") })).toThrow();
    expect(() => openSecret(key, "a", "not sealed")).toThrow();
  });

  it("accepts a key as 64 hex digits or base64, and names the variable and a fix otherwise", () => {
    expect(parseSecretKey(key.toString("hex"))).toEqual(key);
    expect(parseSecretKey(key.toString("base64"))).toEqual(key);
    expect(() => parseSecretKey("short")).toThrow(/CARVE_SECRET_KEY .*openssl rand -hex 32/);
  });
});
