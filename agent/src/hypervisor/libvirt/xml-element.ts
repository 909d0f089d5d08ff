/**
 * A small XML element builder for the documents the agent hands libvirt (domains, disks, pools).
 * Names are fixed by our code and checked; every attribute value and text is escaped here, so a
 * string from a user or a hypervisor can only ever be character data. It replaces a DOM-based
 * library that cost milliseconds of CPU per domain on the create path (see docs/performance.md).
 */

// An XML Name restricted to what libvirt's schemas use.
const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
// Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF): replaced by a space, as libvirt would refuse the document otherwise.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export type TXmlAttributes = Readonly<Record<string, string | number | undefined>>;

// Anything escapeText or escapeAttribute would change; most values (numbers, paths, names) have none.
const NEEDS_WORK = /[&<>"\u0000-\u001f\ud800-\udfff\ufffe\uffff]/;

function escapeText(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(NOT_XML, " ").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function escapeAttribute(value: string): string {
  if (!NEEDS_WORK.test(value)) return value;
  // Tab, LF and CR would be normalised to spaces by a parser: keep them as character references.
  return escapeText(value).replaceAll('"', "&quot;").replaceAll("\t", "&#9;").replaceAll("\n", "&#10;").replaceAll("\r", "&#13;");
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`not an XML name: ${JSON.stringify(name)}`);
  return name;
}

export class XmlElement {
  private readonly children: Array<XmlElement | string> = [];
  private readonly attributes: Array<[string, string]>;

  constructor(
    readonly name: string,
    attributes: TXmlAttributes = {},
  ) {
    checkName(name);
    this.attributes = Object.entries(attributes).flatMap(([key, value]) => (value === undefined ? [] : [[checkName(key), String(value)] as [string, string]]));
  }

  /** Appends a child element and returns it. */
  ele(name: string, attributes?: TXmlAttributes): XmlElement {
    const child = new XmlElement(name, attributes);
    this.children.push(child);
    return child;
  }

  /** Appends text (escaped when rendered) and returns this element. */
  txt(text: string | number): this {
    this.children.push(String(text));
    return this;
  }

  /** The element as an XML document fragment, indented two spaces per level. */
  render(indent = ""): string {
    const open = `${indent}<${this.name}${this.attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join("")}`;
    if (this.children.length === 0) return `${open}/>`;
    if (this.children.every((child) => typeof child === "string")) return `${open}>${this.children.map((text) => escapeText(text as string)).join("")}</${this.name}>`;
    const inner = this.children.map((child) => (typeof child === "string" ? `${indent}  ${escapeText(child)}` : child.render(`${indent}  `)));
    return `${open}>\n${inner.join("\n")}\n${indent}</${this.name}>`;
  }
}

/** Starts a document at its root element. */
export function xmlElement(name: string, attributes?: TXmlAttributes): XmlElement {
  return new XmlElement(name, attributes);
}
