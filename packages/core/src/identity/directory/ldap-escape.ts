/**
 * Escaping for the two places untrusted text meets LDAP syntax. Every value a user typed goes
 * through one of these before it reaches the directory; nothing is concatenated raw.
 */

/**
 * RFC 4515 §3: a value inside a search filter. `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
 * `\29`, `\5c`, `\00`, so `*)(uid=*` is looked up literally and never widens the filter.
 */
export function escapeFilterValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[*()\\\u0000]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * RFC 4514 §2.4: an attribute value inside a DN. `"` `+` `,` `;` `<` `>` `\` `=` are
 * backslash-escaped, as are a leading `#` or space and a trailing space; NUL becomes `\00`.
 */
export function escapeDnValue(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\\"+,;<>=\u0000]/g, (c) => (c === "\u0000" ? "\\00" : `\\${c}`))
      .replace(/^[ #]/, (c) => `\\${c}`)
      .replace(/ $/, "\\ ")
  );
}

/** Fills `{username}` in a DN template (e.g. `uid={username},ou=People,dc=example,dc=org`). */
export function dnFromTemplate(template: string, username: string): string {
  return template.split("{username}").join(escapeDnValue(username));
}

/**
 * The value of a DN's first RDN (`cn=Backend,ou=Groups,…` → `Backend`), unescaping both
 * `\,` and `\2C` forms and quoted values. Multi-valued RDNs give their first value.
 */
export function firstRdnValue(dn: string): string {
  const eq = dn.indexOf("=");
  if (eq < 0) return dn;
  let i = eq + 1;
  const raw: number[] = [];
  if (dn[i] === '"') {
    for (i++; i < dn.length && dn[i] !== '"'; i++) {
      if (dn[i] === "\\") i++;
      raw.push(...Buffer.from(dn[i] ?? "", "utf8"));
    }
    return Buffer.from(raw).toString("utf8");
  }
  for (; i < dn.length; i++) {
    const c = dn[i] ?? "";
    if (c === "," || c === "+" || c === ";") break;
    if (c === "\\") {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        raw.push(parseInt(hex, 16));
        i += 2;
      } else {
        raw.push(...Buffer.from(dn[i + 1] ?? "", "utf8"));
        i += 1;
      }
      continue;
    }
    raw.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(raw).toString("utf8");
}

/**
 * A DN in a form two spellings of the same DN share: lower case, no spaces around `,` `+` `=`,
 * and every escape in one canonical form (`\,` and `\2C` both become `\2c`; an escaped
 * ordinary character becomes the character). Good enough to match memberOf values to group DNs.
 */
export function normalizeDn(dn: string): string {
  let out = "";
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i] ?? "";
    if (c !== "\\") {
      out += c;
      continue;
    }
    const hex = dn.slice(i + 1, i + 3);
    const code = /^[0-9a-fA-F]{2}$/.test(hex) ? parseInt(hex, 16) : (dn.codePointAt(i + 1) ?? 0);
    i += /^[0-9a-fA-F]{2}$/.test(hex) ? 2 : 1;
    const special = code < 0x20 || code > 0x7e || '\\"+,;<>=# '.includes(String.fromCharCode(code));
    out += special ? `\\${code.toString(16).padStart(2, "0")}` : String.fromCharCode(code);
  }
  return out.replace(/\s*([,+=])\s*/g, "$1").toLowerCase();
}
