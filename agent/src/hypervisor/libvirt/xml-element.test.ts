import { create } from "xmlbuilder2";
import { describe, expect, it } from "vitest";
import { xmlElement } from "./xml-element.ts";

/** Decodes character data as an XML parser does (xmlbuilder2's parser decodes `&amp;#65;` twice). */
function decode(raw: string): string {
  return raw
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}

describe("xmlElement", () => {
  it("renders nested elements, attributes and text, with empty elements self-closed", () => {
    const root = xmlElement("domain", { type: "qemu" });
    root.ele("name").txt("carve-1");
    root.ele("features").ele("acpi");
    root.ele("memory", { unit: "MiB", skipped: undefined }).txt(1024);
    expect(root.render()).toBe('<domain type="qemu">\n  <name>carve-1</name>\n  <features>\n    <acpi/>\n  </features>\n  <memory unit="MiB">1024</memory>\n</domain>');
  });

  it("keeps hostile text and attribute values as character data that round-trips exactly", () => {
    const hostile = `</title><devices><disk file="/etc/shadow"/></devices>&amp;&foo;&#65;'"\t\nend`;
    const root = xmlElement("domain");
    root.ele("title").txt(hostile);
    root.ele("source", { file: hostile });
    const xml = root.render();
    expect(xml).not.toContain("<disk");
    expect(() => create(xml)).not.toThrow();
    expect(decode(/<title>([^<]*)<\/title>/.exec(xml)?.[1] ?? "")).toBe(hostile);
    expect(decode(/<source file="([^"]*)"\/>/.exec(xml)?.[1] ?? "")).toBe(hostile);
  });

  it("replaces characters XML cannot carry with spaces instead of producing a document libvirt refuses", () => {
    const root = xmlElement("title").txt("a\u0000b\u001fc\ud800d");
    expect(root.render()).toBe("<title>a b c d</title>");
    expect(() => create(root.render())).not.toThrow();
  });

  it("refuses element and attribute names that are not XML names", () => {
    expect(() => xmlElement("bad name")).toThrow(/not an XML name/);
    expect(() => xmlElement("disk", { 'file"': "x" })).toThrow(/not an XML name/);
  });
});
