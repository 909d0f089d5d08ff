import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { SAFE_LOG_OPTIONS, scrubSecrets } from "@carve/protocol";

/** A pino logger with Carve's options, writing into an array of lines. */
function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
  return { log: pino({ ...SAFE_LOG_OPTIONS, level: "info" }, sink), lines };
}

describe("log safety", () => {
  it("an ioredis WRONGPASS error (AUTH user password in err.command.args) is logged without the password", () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error("WRONGPASS invalid username-password pair or user is disabled."), { command: { name: "auth", args: ["carve-host-1", "carve-host-Zm9vYmFyYmF6cXV4cXV1eA"] } });
    log.warn({ err }, "redis connection error");
    log.error(err);
    expect(lines.join("")).toContain("WRONGPASS");
    expect(lines.join("")).not.toContain("Zm9vYmFyYmF6cXV4cXV1eA");
  });

  it("masks URL passwords, Carve's secrets and secret-named fields, in messages and fields alike", () => {
    const { log, lines } = capture();
    log.info({ url: "redis://carve:s3cret-pass@mgmt:6379", nested: { password: "hunter2" }, at: new Date(0) }, "joining with carve-join-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdefg on rediss://u:pw@h:1 as carve-host-4278d07b-1abb-4066-849b-5f69ef5b348d");
    const text = lines.join("");
    for (const secret of ["s3cret-pass", "hunter2", "AbCdEfGhIjKlMnOpQrStUv", ":pw@"]) expect(text).not.toContain(secret);
    expect(text).toContain("redis://carve:[redacted]@mgmt:6379");
    expect(text).toContain("as carve-host-4278d07b-1abb-4066-849b-5f69ef5b348d");
    expect(text).toContain('"at":"1970-01-01T00:00:00.000Z"');
    expect(scrubSecrets("no secret here: redis://mgmt:6379")).toBe("no secret here: redis://mgmt:6379");
  });
});
