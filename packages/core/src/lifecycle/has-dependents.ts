import { CarveError, type TErrorCode } from "../errors/index.ts";

/** How many names of each kind of dependent a refusal shows before it says "and N more". */
const LISTED = 10;

/** One kind of thing that still depends on what is being deleted. */
export interface TDependents {
  /** Plural noun, e.g. "VMs", "volumes" (also the key in the error's details). */
  what: string;
  /** Singular noun, for exactly one. */
  one: string;
  /** Every dependent, by a name the admin can act on. */
  names: string[];
}

/** The dependents named in a message: the first few, then a count. */
export function listNames(names: string[]): string {
  const shown = names.slice(0, LISTED).join(", ");
  return names.length > LISTED ? `${shown} and ${names.length - LISTED} more` : shown;
}

/** The first step while live VMs hold something: whoever acts, an admin or the VMs' owners. */
export const DESTROY_THOSE_VMS = "destroy those VMs ('carve vm destroy NAME --wait') or have their owners destroy them";

/**
 * The refusal of a delete while something still depends on the subject: what depends on it, and
 * the order to remove things in (`steps`, the last one being the delete asked for). `details`
 * carries the full lists for front doors that render them; `alternative` is a safe way
 * around it. Templates keep their older code, TEMPLATE_IN_USE, for the front doors that know it.
 */
export function hasDependents(
  subject: string,
  dependents: TDependents[],
  steps: string[],
  options: { alternative?: string; code?: Extract<TErrorCode, "HAS_DEPENDENTS" | "TEMPLATE_IN_USE"> } = {},
): CarveError {
  const present = dependents.filter((d) => d.names.length > 0);
  const uses = present.map((d) => `${d.names.length} ${d.names.length === 1 ? d.one : d.what} (${listNames(d.names)})`).join("; ");
  const order = steps.map((step, i) => `${i + 1}. ${step}`).join("; ");
  const instead = options.alternative ? ` ${options.alternative}` : "";
  return new CarveError(options.code ?? "HAS_DEPENDENTS", `${subject} is still used by ${uses}. Remove them in this order: ${order}${instead}`, {
    details: { dependents: Object.fromEntries(present.map((d) => [d.what, d.names])), order: steps },
  });
}
