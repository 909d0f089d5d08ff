import { describe, expect, it } from "vitest";
import { CarveError } from "./carve-error.ts";
import { way } from "./front-door-ways.ts";

const unknownTemplate = () =>
  new CarveError("TEMPLATE_NOT_FOUND", `No template 'nope'. See the available ones with ${way("templates")}.`, {
    fields: [{ field: "template", message: `'nope' does not exist: pick one from ${way("templates")}` }],
  });

describe("a refusal that names where to look something up", () => {
  it("names each front door's own way: the CLI's command, the API's route, Slack's command, the portal's page", () => {
    const error = unknownTemplate();
    expect(error.message).toBe("No template 'nope'. See the available ones with 'carve template list'.");
    expect(error.forDoor("api")).toEqual({
      code: "TEMPLATE_NOT_FOUND",
      message: "No template 'nope'. See the available ones with GET /api/v1/templates.",
      fields: [{ field: "template", message: "'nope' does not exist: pick one from GET /api/v1/templates" }],
    });
    expect(error.forDoor("slack").message).toBe("No template 'nope'. See the available ones with `/vm templates`.");
    expect(error.forDoor("portal").message).toBe("No template 'nope'. See the available ones with the template choices of the New VM page.");
  });

  it("reads as the CLI's in the error's own message, fields and JSON", () => {
    const error = unknownTemplate();
    expect(error.fields).toEqual([{ field: "template", message: "'nope' does not exist: pick one from 'carve template list'" }]);
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.forDoor("cli"));
  });
});
