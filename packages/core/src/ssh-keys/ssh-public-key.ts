import { createHash } from "node:crypto";
import { hasControlChar } from "../validation/control-chars.ts";

/** The key types Carve accepts (what current OpenSSH generates; DSA and RSA below 2048 bits are out). */
export const SSH_KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"] as const;
export type TSshKeyType = (typeof SSH_KEY_TYPES)[number];

/** Bytes of an uncompressed EC point (0x04 ‖ X ‖ Y) per curve. */
const EC_POINT_BYTES: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16_384;
const MAX_COMMENT = 1000;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A validated OpenSSH public key. */
export interface TSshPublicKey {
  type: TSshKeyType;
  /** Key size in bits (RSA modulus, EC curve; 256 for Ed25519). */
  bits: number;
  comment: string | null;
  /** Like `ssh-keygen -l -E sha256`: "SHA256:" and the unpadded base64 of the blob's SHA-256. */
  fingerprint: string;
  /** The key as one authorized_keys line: type, base64 blob and comment, single-spaced. */
  line: string;
}

/** Why a key line was refused, in words for the `publicKey` field. */
export class SshKeyError extends Error {}

/**
 * Parses one OpenSSH public key line (`type base64 [comment]`, as in `~/.ssh/id_ed25519.pub`):
 * the type must be one Carve accepts, the base64 must decode exactly, and the blob inside must be a
 * well-formed key of that same type (RSA at least 2048 bits).
 * @throws SshKeyError saying what is wrong and what to paste instead.
 */
export function parseSshPublicKey(text: string): TSshPublicKey {
  const trimmed = text.trim();
  if (trimmed === "") throw new SshKeyError("is empty: paste the contents of your public key file (e.g. ~/.ssh/id_ed25519.pub)");
  if (/[\r\n]/.test(trimmed)) throw new SshKeyError("has several lines: give one key per command");
  if (trimmed.startsWith("-----BEGIN")) throw new SshKeyError("is a PEM block, not an OpenSSH public key: paste the .pub file, never the private key");
  const [type = "", data = "", ...rest] = trimmed.split(/[ \t]+/);
  if (!isKeyType(type)) {
    throw new SshKeyError(`starts with '${type.slice(0, 40)}', which is not a supported key type: use one of ${SSH_KEY_TYPES.join(", ")} (e.g. 'ssh-keygen -t ed25519')`);
  }
  if (data === "") throw new SshKeyError(`has the type ${type} but no key data after it`);
  const blob = decodeBase64(data);
  const comment = rest.join(" ");
  if (comment.length > MAX_COMMENT || hasControlChar(comment, "line")) {
    throw new SshKeyError(`has a comment that is longer than ${MAX_COMMENT} characters or holds control characters: shorten it`);
  }
  const bits = checkBlob(type, blob);
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { type, bits, comment: comment === "" ? null : comment, fingerprint, line: comment === "" ? `${type} ${data}` : `${type} ${data} ${comment}` };
}

function isKeyType(type: string): type is TSshKeyType {
  return (SSH_KEY_TYPES as readonly string[]).includes(type);
}

function decodeBase64(data: string): Buffer {
  const blob = Buffer.from(data, "base64");
  // Node's decoder skips what it does not understand; a key must survive the round trip exactly.
  if (!BASE64.test(data) || data.length % 4 !== 0 || blob.toString("base64") !== data) {
    throw new SshKeyError("has key data that is not valid base64: copy the whole line again, without line breaks");
  }
  return blob;
}

/** Reads the SSH wire format (RFC 4251): uint32 length-prefixed strings. */
class BlobReader {
  private at = 0;
  constructor(private readonly blob: Buffer) {}

  string(): Buffer {
    if (this.at + 4 > this.blob.length) throw new SshKeyError("has key data that ends too early: it is truncated");
    const length = this.blob.readUInt32BE(this.at);
    const start = this.at + 4;
    if (start + length > this.blob.length) throw new SshKeyError("has key data that ends too early: it is truncated");
    this.at = start + length;
    return this.blob.subarray(start, start + length);
  }

  end(): void {
    if (this.at !== this.blob.length) throw new SshKeyError("has extra bytes after the key: it is not a single well-formed key");
  }
}

/** Checks the blob's structure against the declared type; returns the key size in bits. */
function checkBlob(type: TSshKeyType, blob: Buffer): number {
  const reader = new BlobReader(blob);
  const inner = reader.string().toString("latin1");
  if (inner !== type) {
    throw new SshKeyError(`says ${type} but the key data inside is ${/^[\x20-\x7e]{1,40}$/.test(inner) ? `'${inner}'` : "something else"}: the line was edited or mixed up`);
  }
  let bits: number;
  if (type === "ssh-ed25519") {
    if (reader.string().length !== 32) throw new SshKeyError("is not a valid Ed25519 key: its public key must be 32 bytes");
    bits = 256;
  } else if (type === "ssh-rsa") {
    reader.string(); // public exponent
    bits = mpintBits(reader.string());
    if (bits < MIN_RSA_BITS) throw new SshKeyError(`is an RSA key of ${bits} bits: RSA keys need at least ${MIN_RSA_BITS} bits (better: 'ssh-keygen -t ed25519')`);
    if (bits > MAX_RSA_BITS) throw new SshKeyError(`is an RSA key of ${bits} bits: at most ${MAX_RSA_BITS} are accepted`);
  } else {
    const curve = type.slice("ecdsa-sha2-".length);
    if (reader.string().toString("latin1") !== curve) throw new SshKeyError(`says ${type} but names another curve inside: the line was edited or mixed up`);
    const point = reader.string();
    if (point.length !== EC_POINT_BYTES[curve] || point[0] !== 0x04) throw new SshKeyError(`is not a valid ${type} key: its point is malformed`);
    bits = Number(curve.slice("nistp".length));
  }
  reader.end();
  return bits;
}

/** Bit length of a positive SSH mpint (big-endian, possibly with a leading zero byte). */
function mpintBits(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  // Checked above: i < length.
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]!));
}
