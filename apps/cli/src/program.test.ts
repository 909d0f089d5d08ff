import { describe, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

// Commander answers these before any command's action: no database is ever reached.
const carve = (...argv: string[]) => carveInProcess({ databaseUrl: "postgresql://nowhere.invalid/carve", queuePrefix: "unused" }, ...argv);
const MISSING_TEMPLATE = "error: required option '--template <template>' not specified\n";

describe("the carve command tree in process", () => {
  it("prints its help on the run's stdout and exits 0", async () => {
    const help = await carve("--help");
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(/^Usage: carve \[options\] \[command\]/);
    expect(help.stdout).toMatch(/^ {2}vm\b/m);
  });

  it("answers a usage mistake with exit 1, the message on the run's stderr and nothing on stdout", async () => {
    expect(await carve("vm", "create", "web-1")).toEqual({ code: 1, stdout: "", stderr: MISSING_TEMPLATE });
    expect(await carve("frobnicate")).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining("unknown command 'frobnicate'") });
  });
});
