import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSshPublicKey, SshKeyError } from "./ssh-public-key.ts";

const dir = mkdtempSync(join(tmpdir(), "carve-sshkey-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh key made by OpenSSH itself, and ssh-keygen's own SHA256 fingerprint of it. */
function keygen(type: string, bits?: number): { line: string; fingerprint: string } {
  const file = join(dir, `${type}-${bits ?? "default"}-${Math.random().toString(36).slice(2)}`);
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(bits ? ["-b", String(bits)] : []), "-N", "", "-C", "dev@laptop", "-f", file]);
  const line = readFileSync(`${file}.pub`, "utf8").trim();
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`], { encoding: "utf8" }).split(" ")[1] ?? "";
  return { line, fingerprint };
}

function refusal(text: string): string {
  try {
    parseSshPublicKey(text);
  } catch (error) {
    if (error instanceof SshKeyError) return error.message;
    throw error;
  }
  throw new Error("expected the key to be refused");
}

/** An SSH wire-format string: uint32 length, then the bytes. */
function sshString(bytes: Buffer | string): Buffer {
  const body = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

describe("parseSshPublicKey", () => {
  it.each([
    ["ed25519", undefined, "ssh-ed25519", 256],
    ["ecdsa", 256, "ecdsa-sha2-nistp256", 256],
    ["ecdsa", 384, "ecdsa-sha2-nistp384", 384],
    ["ecdsa", 521, "ecdsa-sha2-nistp521", 521],
    ["rsa", 2048, "ssh-rsa", 2048],
  ])("accepts a %s key (%s bits) from ssh-keygen, with ssh-keygen's fingerprint", (type, bits, expectedType, expectedBits) => {
    const made = keygen(type, bits);
    const key = parseSshPublicKey(`  ${made.line}\n`);
    expect(key).toMatchObject({ type: expectedType, bits: expectedBits, comment: "dev@laptop", line: made.line });
    expect(key.fingerprint).toBe(made.fingerprint);
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("refuses an RSA key below 2048 bits, saying how big it is", () => {
    expect(refusal(keygen("rsa", 1024).line)).toMatch(/RSA key of 1024 bits: RSA keys need at least 2048 bits/);
  });

  it("refuses key data that is not valid base64", () => {
    const [type, data] = keygen("ed25519").line.split(" ");
    expect(refusal(`${type} ${data?.slice(0, 20)}!!${data?.slice(22)}`)).toMatch(/not valid base64/);
    expect(refusal(`${type} ${data?.slice(0, -1)}`)).toMatch(/not valid base64|truncated/);
  });

  it("refuses a line whose declared type does not match the key inside", () => {
    const [, data] = keygen("ed25519").line.split(" ");
    expect(refusal(`ssh-rsa ${data}`)).toMatch(/says ssh-rsa but the key data inside is 'ssh-ed25519'/);
    const [, ecData] = keygen("ecdsa", 256).line.split(" ");
    expect(refusal(`ecdsa-sha2-nistp384 ${ecData}`)).toMatch(/says ecdsa-sha2-nistp384 but the key data inside is 'ecdsa-sha2-nistp256'/);
  });

  it("refuses malformed blobs: a truncated key, trailing bytes, a wrong-size Ed25519 key", () => {
    const short = Buffer.concat([sshString("ssh-ed25519"), sshString(Buffer.alloc(31))]).toString("base64");
    expect(refusal(`ssh-ed25519 ${short}`)).toMatch(/must be 32 bytes/);
    const trailing = Buffer.concat([sshString("ssh-ed25519"), sshString(Buffer.alloc(32)), Buffer.from([0])]).toString("base64");
    expect(refusal(`ssh-ed25519 ${trailing}`)).toMatch(/extra bytes/);
    const truncated = Buffer.concat([sshString("ssh-ed25519"), Buffer.from([0, 0, 0, 32, 1, 2])]).toString("base64");
    expect(refusal(`ssh-ed25519 ${truncated}`)).toMatch(/truncated/);
  });

  it("refuses unsupported types, private keys, empty input and several lines", () => {
    expect(refusal("ssh-dss AAAAB3NzaC1kc3MAAACBAP")).toMatch(/'ssh-dss', which is not a supported key type: use one of ssh-ed25519/);
    expect(refusal("-----BEGIN OPENSSH PRIVATE KEY-----")).toMatch(/never the private key/);
    expect(refusal("   ")).toMatch(/is empty/);
    const line = keygen("ed25519").line;
    expect(refusal(`${line}\n${line}`)).toMatch(/several lines/);
    expect(refusal(`command="rm -rf /" ${line}`)).toMatch(/not a supported key type/);
  });
});
