import type { TPoolStatus } from "../hypervisor.ts";

/** Reads `Key:   value` lines (virsh's *-info output) into a map. */
function parseKeyValues(output: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of output.split("\n")) {
    const match = /^([A-Za-z ]+):\s*(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1].trim(), match[2].trim());
  }
  return values;
}

/** Parses `virsh pool-info --bytes`. Inactive pools have no usage lines: they read as zero. */
export function parsePoolInfo(name: string, output: string): TPoolStatus {
  const values = parseKeyValues(output);
  const bytes = (key: string): number => {
    const value = Number(values.get(key) ?? "0");
    return Number.isFinite(value) ? value : 0;
  };
  return {
    name,
    active: values.get("State") === "running",
    capacityBytes: bytes("Capacity"),
    allocationBytes: bytes("Allocation"),
    availableBytes: bytes("Available"),
  };
}

/** The capacity in bytes from `virsh vol-info --bytes` ("Capacity:       1048576 bytes"). */
export function parseVolumeCapacity(output: string): number | null {
  const match = /^(\d+)\s*bytes$/.exec(parseKeyValues(output).get("Capacity") ?? "");
  return match?.[1] === undefined ? null : Number(match[1]);
}

/**
 * Parses `virsh vol-list --pool P`: one ` name   path` row per volume (virsh -q drops the header).
 * The path is the last column and has no spaces in any pool Carve manages.
 */
export function parseVolumeList(output: string): string[] {
  const names: string[] = [];
  for (const line of output.split("\n")) {
    const match = /^\s*(\S.*?)\s+(\S+)\s*$/.exec(line);
    if (match?.[1] !== undefined) names.push(match[1]);
    else if (line.trim() !== "") names.push(line.trim());
  }
  return names;
}

/** The type and target path of `virsh pool-dumpxml` output (libvirt writes both plainly; paths have no entities in pools Carve uses). */
export function parsePoolXml(xml: string): { type: string; path: string | null } {
  const type = /<pool\s[^>]*type=['"]([^'"]+)['"]/.exec(xml)?.[1] ?? "unknown";
  const path = /<target>\s*<path>([^<]*)<\/path>/.exec(xml)?.[1]?.trim() ?? null;
  return { type, path: path === "" ? null : path };
}
