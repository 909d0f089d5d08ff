import { describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { ZTemplateSettings } from "../settings/template-settings.ts";
import { checkSourceAddress, checkSourceUrl } from "./source-policy.ts";

const settings = (over: object) => ZTemplateSettings.parse(over);

function refusal(run: () => unknown): CarveError {
  try {
    run();
  } catch (error) {
    if (error instanceof CarveError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("checkSourceUrl", () => {
  const s = settings({ allowedHosts: ["cloud.debian.org", "mirror.example.com:8080"] });

  it("takes http and https URLs of allowed hosts", () => {
    expect(checkSourceUrl("https://cloud.debian.org/images/debian.qcow2", s)).toMatchObject({ hostname: "cloud.debian.org", port: 443 });
    expect(checkSourceUrl("http://CLOUD.debian.org:81/x", s)).toMatchObject({ hostname: "cloud.debian.org", port: 81 });
    expect(checkSourceUrl("http://mirror.example.com:8080/x", s)).toMatchObject({ port: 8080 });
  });

  it("refuses other schemes naming the url field and the scheme it got", () => {
    const error = refusal(() => checkSourceUrl("ftp://cloud.debian.org/x.qcow2", s));
    expect(error.code).toBe("TEMPLATE_SOURCE_REFUSED");
    expect(error.message).toContain("uses 'ftp'");
    expect(error.fields[0]?.field).toBe("url");
  });

  it("refuses a host (or port) off the allow-list, naming the setting and the command", () => {
    const host = refusal(() => checkSourceUrl("https://evil.example.net/x", s));
    expect(host.message).toContain("templates.allowedHosts");
    expect(host.message).toContain("carve settings templates --allow-host evil.example.net");
    expect(refusal(() => checkSourceUrl("http://mirror.example.com:9090/x", s)).message).toContain("mirror.example.com:9090");
  });

  it("refuses credentials in the URL (they would rest in plain text)", () => {
    expect(refusal(() => checkSourceUrl("https://user:secret@cloud.debian.org/x", s)).message).toContain("user name or password");
  });
});

describe("checkSourceAddress", () => {
  it("names the setting that allows private addresses", async () => {
    const s = settings({ allowedHosts: ["intranet.example.com"] });
    const source = checkSourceUrl("http://intranet.example.com/x", s);
    await expect(checkSourceAddress(source, s, async () => ["192.168.10.2"])).rejects.toThrow(/templates\.allowPrivateAddresses/);
    await expect(checkSourceAddress(source, { ...s, allowPrivateAddresses: true }, async () => ["192.168.10.2"])).resolves.toBe("192.168.10.2");
  });
});
