/**
 * One CSV line (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. Text
 * that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe,
 * since team and user names come from the directory.
 */
export function csvLine(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(",");
}

function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
