import { describe, expect, it } from "vitest";
import { VirshArgumentError, isSafeVirshArgument, toVirshCommandLine } from "./virsh-args.ts";

describe("virsh argument whitelist", () => {
  it.each([
    "default",
    "carve-0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1.qcow2",
    "10G",
    "--backing-vol-format",
    "/var/lib/libvirt/images/template.qcow2",
    "/tmp/carve-node-x1_y+z/pools/default",
  ])("accepts %j", (word) => {
    expect(isSafeVirshArgument(word)).toBe(true);
  });

  it.each([
    ["a command separator", "x; pool-destroy default"],
    ["whitespace", "two words"],
    ["a newline", "x\npool-delete default"],
    ["quotes", `"x"`],
    ["a single quote", "it's"],
    ["a backslash", "x\\ y"],
    ["a comment", "#x"],
    ["an option with a value glued on", "--pool=other"],
    ["a value that looks like an option", "-x"],
    ["shell syntax", "$(reboot)"],
    ["a parent directory", "/var/lib/../../etc/shadow"],
    ["a relative path", "images/x.qcow2"],
    ["a trailing slash", "/var/lib/"],
    ["a hidden file", "/tmp/.x"],
    ["the empty string", ""],
    ["markup", "<volume>"],
    ["a NUL byte", "a\u0000b"],
  ])("refuses %s", (_what, word) => {
    expect(isSafeVirshArgument(word)).toBe(false);
    expect(() => toVirshCommandLine(["vol-path", "--pool", "default", word])).toThrow(VirshArgumentError);
  });

  it("joins a safe command line with single spaces", () => {
    expect(toVirshCommandLine(["vol-path", "--pool", "default", "a.qcow2"])).toBe("vol-path --pool default a.qcow2");
  });

  it("refuses commands outside the allowed set, whatever their arguments", () => {
    expect(() => toVirshCommandLine(["undefine", "carve-x"])).toThrow(/not an allowed virsh command/);
    expect(() => toVirshCommandLine(["!ls"])).toThrow(VirshArgumentError);
    expect(() => toVirshCommandLine([])).toThrow(VirshArgumentError);
  });

  it("names the offending word in the error", () => {
    expect(() => toVirshCommandLine(["vol-delete", "--pool", "default", "a b"])).toThrow('refusing to pass "a b" to virsh');
  });
});
