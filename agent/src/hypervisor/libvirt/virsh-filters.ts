import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HypervisorError, messageOf } from "../errors.ts";
import type { TFilterSpec } from "../hypervisor.ts";
import { buildFilterXml } from "./nwfilter-xml.ts";
import type { VirshSession } from "./virsh-session.ts";
import { runVirsh } from "./virsh-storage.ts";

const FILTER_NOT_FOUND = /network filter not found|no nwfilter with matching/i;

/**
 * Writes the filter's XML to a private temporary file and hands its path to `define` (a virsh
 * `nwfilter-define FILE` on some connection: the agent's session, or a migration's destination).
 */
export async function withFilterFile(spec: TFilterSpec, define: (file: string) => Promise<unknown>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "carve-filter-"));
  try {
    const file = join(dir, "filter.xml");
    await writeFile(file, buildFilterXml(spec), { mode: 0o600 });
    await define(file);
  } catch (error) {
    if (error instanceof HypervisorError) throw error;
    throw HypervisorError.refusal(`could not define network filter ${spec.name}: ${messageOf(error)}`, messageOf(error));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The filter names in `virsh nwfilter-list`'s table: a header, a rule, then " UUID  NAME" rows. */
export function parseFilterList(out: string): string[] {
  return out
    .split("\n")
    .map((line) => /^\s*[0-9a-f-]{36}\s+(\S+)\s*$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/**
 * VMs' network filters (security groups) through the agent's virsh session (the binding has no
 * nwfilter calls). `nwfilter-define` of a filter that exists (same name and UUID) replaces it, and
 * libvirt rebuilds the firewall rules of the running NICs that refer to it: a rule change is live.
 */
export class VirshFilters {
  constructor(private readonly session: VirshSession) {}

  define(spec: TFilterSpec): Promise<void> {
    return withFilterFile(spec, (file) => runVirsh(this.session, `libvirt refused network filter ${spec.name}`, ["nwfilter-define", file]));
  }

  async list(): Promise<string[]> {
    return parseFilterList(await runVirsh(this.session, "libvirt could not list network filters", ["nwfilter-list"]));
  }

  async remove(name: string): Promise<boolean> {
    try {
      await runVirsh(this.session, `libvirt could not remove network filter ${name}`, ["nwfilter-undefine", name]);
      return true;
    } catch (error) {
      if (FILTER_NOT_FOUND.test(messageOf(error))) return false;
      throw error;
    }
  }
}
