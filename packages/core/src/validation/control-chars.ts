import type { TFieldError } from "../errors/index.ts";
import { invalidInput } from "./invalid-input.ts";

// C0 controls and DEL. NUL in particular: PostgreSQL cannot store it in text (error 22021).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * How strict: `text` lets tab, newline and carriage return through (descriptions, keys and
 * certificates pasted with line breaks; each schema still says what its field accepts); `line`
 * refuses every control character (ids, names, filters: path and query parameters).
 */
export type TControlRule = "text" | "line";

/** True when `value` holds a control character the rule refuses. */
export function hasControlChar(value: string, rule: TControlRule = "text"): boolean {
  return (rule === "line" ? CONTROL : CONTROL_BUT_WHITESPACE).test(value);
}

function controlName(char: string): string {
  const code = char.charCodeAt(0);
  if (code === 0) return "NUL";
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Every string in `value` (at any depth of plain objects and arrays, keys included) that holds a
 * control character the rule refuses, as field errors named by their path (`root` for `value`
 * itself when it is a string).
 */
export function controlCharFields(value: unknown, root: string, rule: TControlRule = "text"): TFieldError[] {
  const pattern = rule === "line" ? CONTROL : CONTROL_BUT_WHITESPACE;
  const found: TFieldError[] = [];
  const visit = (v: unknown, path: string[]): void => {
    if (found.length >= 20) return; // enough to say what to fix; a hostile body may hold millions
    if (typeof v === "string") {
      const char = pattern.exec(v)?.[0];
      if (char !== undefined) found.push({ field: path.length > 0 ? path.join(".") : root, message: `contains a control character (${controlName(char)}); remove it` });
    } else if (Array.isArray(v)) {
      v.forEach((item, index) => visit(item, [...path, String(index)]));
    } else if (isPlainObject(v)) {
      for (const [key, item] of Object.entries(v)) {
        if (pattern.test(key)) visit(key, [...path, JSON.stringify(key).slice(1, -1)]);
        else visit(item, [...path, key]);
      }
    }
  };
  visit(value, []);
  return found;
}

/**
 * The one check every input goes through (parseInput, the audited wrapper of every use-case, the
 * REST edge's path and query parameters): INVALID_INPUT naming each field that holds a control
 * character. Nothing reaches the database with a NUL in it.
 */
export function refuseControlChars(value: unknown, root = "input", rule: TControlRule = "text"): void {
  const fields = controlCharFields(value, root, rule);
  if (fields.length === 0) return;
  throw invalidInput(fields);
}

/** `value` with each control character written as `\uXXXX`, for storing and showing what was sent. */
export function escapeControlChars(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
