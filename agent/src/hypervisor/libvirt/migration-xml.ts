import { basename, dirname, join } from "node:path";
import { create } from "xmlbuilder2";

/** What changes in a domain's XML when it lands on another host. */
export interface TMigrationXmlChanges {
  /** Disk source paths here → the pre-created copies' paths on the destination. */
  diskPaths: ReadonlyMap<string, string>;
  /** The destination's console log directory: the serial log file moves there. */
  consoleLogDir?: string | undefined;
  /** This host's CARVE_CONSOLE_SOCKET_DIR: VNC sockets there are explicit per-domain paths and stay. */
  consoleSocketDir?: string | undefined;
}

interface TDomElement {
  nodeName: string;
  childNodes: ArrayLike<unknown>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  removeChild(child: unknown): unknown;
}

function isElement(node: unknown): node is TDomElement {
  return typeof node === "object" && node !== null && (node as { nodeType?: number }).nodeType === 1;
}

function children(node: TDomElement, name?: string): TDomElement[] {
  return Array.from(node.childNodes).filter((c): c is TDomElement => isElement(c) && (name === undefined || c.nodeName === name));
}

function devicesOf(root: TDomElement): TDomElement {
  const devices = children(root, "devices")[0];
  if (devices === undefined) throw new Error("the domain XML has no <devices> element");
  return devices;
}

/**
 * The domain's XML as the destination must see it (libvirt's migratable XML, edited as a parsed
 * document, never as text): copied disks point at their pre-created files, with no backing chain
 * (copy-storage flattens it into the copy); a CD-ROM (a cloud-init seed, a file of this host's
 * agent) is ejected; the serial console logs into the destination's directory.
 */
export function migrationXml(xml: string, changes: TMigrationXmlChanges): string {
  const doc = create(xml);
  const root = doc.root().node as unknown as TDomElement;
  const devices = devicesOf(root);
  for (const disk of children(devices, "disk")) {
    const source = children(disk, "source")[0];
    const file = source?.getAttribute("file") ?? null;
    if (disk.getAttribute("device") === "cdrom") {
      if (source) disk.removeChild(source);
      continue;
    }
    const moved = file === null ? undefined : changes.diskPaths.get(file);
    if (source === undefined || moved === undefined) continue;
    source.setAttribute("file", moved);
    for (const chain of children(disk, "backingStore")) disk.removeChild(chain);
  }
  if (changes.consoleLogDir !== undefined) {
    for (const serial of children(devices, "serial")) {
      for (const log of children(serial, "log")) {
        const file = log.getAttribute("file");
        if (file) log.setAttribute("file", join(changes.consoleLogDir, basename(file)));
      }
    }
  }
  // A VNC socket libvirt chose lies in this host's private directory of the running domain: the
  // target picks its own. An explicit one (DIR/<domain>.vnc) is valid wherever DIR is the same.
  for (const graphics of children(devices, "graphics")) {
    for (const element of [graphics, ...children(graphics, "listen")]) {
      const socket = element.getAttribute("socket");
      if (socket && (changes.consoleSocketDir === undefined || dirname(socket) !== changes.consoleSocketDir)) element.removeAttribute("socket");
    }
  }
  return doc.end({ headless: true, prettyPrint: true });
}

/** The target device (vda, vdb…) of each file disk in a domain's XML, by source path. */
export function diskTargetsByPath(xml: string): Map<string, string> {
  const root = create(xml).root().node as unknown as TDomElement;
  const targets = new Map<string, string>();
  for (const disk of children(devicesOf(root), "disk")) {
    const file = children(disk, "source")[0]?.getAttribute("file");
    const dev = children(disk, "target")[0]?.getAttribute("dev");
    if (file && dev) targets.set(file, dev);
  }
  return targets;
}

/** Progress of a domain job from `virsh domjobinfo --rawstats`: bytes processed of the total. */
export function parseJobProgress(output: string): { processed: number; total: number } | null {
  const values = new Map<string, number>();
  for (const line of output.split("\n")) {
    const match = /^\s*([a-z_]+)\s*:\s*(\d+)\s*$/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]));
  }
  for (const kind of ["data", "memory"]) {
    const total = values.get(`${kind}_total`);
    const processed = values.get(`${kind}_processed`);
    if (total !== undefined && processed !== undefined && total > 0) return { processed, total };
  }
  return null;
}
