import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./command-line.ts";

describe("/vm text", () => {
  it("splits the subcommand, arguments and key=value options, whatever the spacing", () => {
    expect(parseCommandLine("  create   web-1 template=tiny  Offering=small ")).toEqual({
      sub: "create",
      args: ["web-1"],
      options: { template: "tiny", offering: "small" },
    });
  });

  it("reads nothing as help, and keeps '=' inside a value", () => {
    expect(parseCommandLine("")).toEqual({ sub: "help", args: [], options: {} });
    expect(parseCommandLine("create x ssh-keys=a=b,c").options).toEqual({ "ssh-keys": "a=b,c" });
  });

  it("treats a word starting with '=' as an argument, not an option without a name", () => {
    expect(parseCommandLine("status =x")).toEqual({ sub: "status", args: ["=x"], options: {} });
  });
});
