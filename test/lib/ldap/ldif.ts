/** One directory entry: its DN and attributes (a value list for multi-valued ones). */
export interface TLdifEntry {
  dn: string;
  attrs: Record<string, string | string[]>;
}

// RFC 2849 SAFE-STRING: no NUL, CR, LF; does not start with space, ':' or '<'; ASCII only.
// eslint-disable-next-line no-control-regex
const SAFE = /^(?![ :<])[\u0001-\u0009\u000b\u000c\u000e-\u007f]*$/;

function line(name: string, value: string): string {
  if (SAFE.test(value) && !value.endsWith(" ")) return `${name}: ${value}`;
  return `${name}:: ${Buffer.from(value, "utf8").toString("base64")}`;
}

/** Entries as LDIF for ldapadd; anything unusual is base64-encoded, as RFC 2849 requires. */
export function toLdif(entries: TLdifEntry[]): string {
  return entries
    .map((e) =>
      [line("dn", e.dn), ...Object.entries(e.attrs).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => line(name, value)))].join("\n"),
    )
    .join("\n\n")
    .concat("\n");
}

/** A modify record replacing (or deleting, with no values) one attribute of an entry. */
export function replaceLdif(dn: string, attr: string, values: string[]): string {
  const body = values.length === 0 ? [`delete: ${attr}`] : [`replace: ${attr}`, ...values.map((v) => line(attr, v))];
  return [line("dn", dn), "changetype: modify", ...body, ""].join("\n");
}

/** A delete record for one entry. */
export function deleteLdif(dn: string): string {
  return [line("dn", dn), "changetype: delete", ""].join("\n");
}

/** RFC 4514 escaping of one attribute value, for the test's own DNs. */
export function rdnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, "\\ ");
}
