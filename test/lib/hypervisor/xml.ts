// A tiny XML element builder for test fixtures: every attribute value and text node is escaped,
// and characters XML 1.0 cannot carry at all (NUL, most C0 controls) are refused rather than
// passed through. The agent has its own builder; this one only serves the test harness.

export interface XmlElement {
  name: string;
  attrs: Record<string, string | number>;
  children: XmlChild[];
}
export type XmlChild = XmlElement | string | number;

type Attrs = Record<string, string | number | undefined>;

const NAME = /^[A-Za-z_][\w.-]*$/;
// eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 forbids
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** `el('disk', { type: 'file' }, el('source', { file: p }))` */
export function el(name: string, attrs: Attrs = {}, ...children: Array<XmlChild | undefined | false>): XmlElement {
  if (!NAME.test(name)) throw new Error(`Invalid XML element name ${JSON.stringify(name)}`);
  const kept: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (!NAME.test(key)) throw new Error(`Invalid XML attribute name ${JSON.stringify(key)}`);
    if (value !== undefined) kept[key] = value;
  }
  return { name, attrs: kept, children: children.filter((c): c is XmlChild => c !== undefined && c !== false) };
}

export function escapeXml(value: string | number): string {
  const text = String(value);
  if (FORBIDDEN.test(text)) throw new Error(`Value cannot be represented in XML: ${JSON.stringify(text)}`);
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

export function renderXml(node: XmlChild, indent = ''): string {
  if (typeof node !== 'object') return indent + escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  if (node.children.length === 0) return `${indent}<${node.name}${attrs}/>`;
  if (node.children.every((c) => typeof c !== 'object')) {
    return `${indent}<${node.name}${attrs}>${node.children.map((c) => escapeXml(c)).join('')}</${node.name}>`;
  }
  const inner = node.children.map((c) => renderXml(c, `${indent}  `)).join('\n');
  return `${indent}<${node.name}${attrs}>\n${inner}\n${indent}</${node.name}>`;
}
