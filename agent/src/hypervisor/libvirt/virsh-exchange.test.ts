import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { VirshExchange } from "./virsh-exchange.ts";

/** An exchange whose stdin records what was written. */
function exchange(): { ex: VirshExchange; written: string[] } {
  const written: string[] = [];
  const stdin = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(chunk.toString());
      done();
    },
  });
  return { ex: new VirshExchange(stdin), written };
}

const P = "virsh # ";

describe("VirshExchange", () => {
  it("returns the command's output without prompts and echoed input", async () => {
    const { ex, written } = exchange();
    const reply = ex.send("vol-path --pool default a", "M1", 1000);
    expect(written.join("")).toBe("vol-path --pool default a\necho M1\necho --err M1\n");
    ex.onStdout(`${P}vol-path --pool default a\n/pool/a\n${P}echo M1\nM1${P}echo --err M1\n${P}`);
    ex.onStderr("error: M1\n");
    await expect(reply).resolves.toEqual({ stdout: "/pool/a\n", stderr: "" });
  });

  it("copes with output arriving in arbitrary pieces, stderr first", async () => {
    const { ex } = exchange();
    const reply = ex.send("pool-list --all --name", "M2", 1000);
    const out = `${P}pool-list --all --name\ndefault\nother\n${P}echo M2\nM2${P}echo --err M2\n${P}`;
    ex.onStderr("error: failed\nerror: M");
    for (const piece of out.match(/.{1,3}/gs) ?? []) ex.onStdout(piece);
    ex.onStderr("2\n");
    await expect(reply).resolves.toEqual({ stdout: "default\nother\n", stderr: "error: failed\n" });
  });

  it("keeps the next command's data for the next reply", async () => {
    const { ex } = exchange();
    const first = ex.send("vol-list --pool a", "M3", 1000);
    ex.onStdout(`${P}vol-list --pool a\n x  /a/x\n${P}echo M3\nM3${P}echo --err M3\n`);
    ex.onStderr("error: M3\n");
    await expect(first).resolves.toEqual({ stdout: " x  /a/x\n", stderr: "" });
    const second = ex.send("vol-list --pool b", "M4", 1000);
    ex.onStdout(`${P}vol-list --pool b\n${P}echo M4\nM4${P}echo --err M4\n`);
    ex.onStderr("error: no pool\nerror: M4\n");
    await expect(second).resolves.toEqual({ stdout: "", stderr: "error: no pool\n" });
  });

  it("is not fooled by output that merely contains the echo command", async () => {
    const { ex } = exchange();
    const reply = ex.send("pool-info x", "M5", 1000);
    ex.onStdout(`${P}pool-info x\nName: echo M5\n`);
    ex.onStderr("error: M5\n");
    let settled = false;
    void reply.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    ex.onStdout(`${P}echo M5\nM5${P}echo --err M5\n`);
    await expect(reply).resolves.toEqual({ stdout: "Name: echo M5\n", stderr: "" });
  });

  it("reports a timeout to its owner and fails every later call", async () => {
    const { ex } = exchange();
    let timedOut = "";
    ex.onTimeout = (command) => {
      timedOut = command;
      ex.fail(new Error("hung"));
    };
    await expect(ex.send("pool-refresh big", "M6", 5)).rejects.toThrow("hung");
    expect(timedOut).toBe("pool-refresh");
    expect(ex.failed).toBe(true);
    await expect(ex.send("pool-list", "M7", 1000)).rejects.toThrow("hung");
  });
});
