/**
 * Reading an HTML form into a core input: empty fields are absent (core applies its defaults and
 * names what is missing), numbers stay numbers only when they parse (otherwise the text goes to
 * core, which names the field), checkboxes are booleans, lists are comma-separated or repeated.
 */
export function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function num(form: FormData, name: string): number | string | undefined {
  const value = text(form, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : value;
}

export function checked(form: FormData, name: string): boolean {
  return form.get(name) === "on";
}

export function list(form: FormData, name: string): string[] {
  return form
    .getAll(name)
    .flatMap((v) => (typeof v === "string" ? v.split(",") : []))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}
