import { join } from "node:path";
import { create } from "xmlbuilder2";
import { domainName } from "@carve/protocol";
import type { TDiskSpec, TDomainSpec, TDomainNic } from "../hypervisor.ts";
import { xmlElement, type XmlElement } from "./xml-element.ts";

type TXmlBuilder = ReturnType<typeof create>;

/** What `addDisk` needs of a parent: our builder's elements (new documents) and xmlbuilder2's (parsed ones). */
interface TElementParent<T> {
  ele(name: string, attributes?: Record<string, string>): T;
}

/** libvirt's `<domain type>`: the test driver's fake, hardware virtualisation, or TCG emulation. */
export type TDomainType = "test" | "kvm" | "qemu";

/** Host-side choices that are not part of the VM's spec. */
export interface TDomainXmlOptions {
  domainType: TDomainType;
  /** Log the serial console to this file (real hypervisors); no serial device when absent. */
  consoleLogFile?: string | undefined;
  /** Attach a virtio NIC to this libvirt network when the spec has no NICs of its own; no NIC when absent. */
  network?: string | undefined;
  /**
   * CARVE_CONSOLE_SOCKET_DIR: the VNC display and the serial port are UNIX sockets at explicit
   * paths here (DIR/<domain>.vnc, DIR/<domain>.serial). Absent: libvirt picks the VNC socket in the
   * domain's private directory, and the serial port is a pty.
   */
  consoleSocketDir?: string | undefined;
}

// C0 controls (libvirt refuses newlines in a title; NUL and friends are not XML at all) and DEL.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/**
 * The domain's title: free text from a user, so control characters become spaces; markup
 * characters are escaped by the XML builder.
 */
export function sanitizeTitle(title: string): string {
  return title.replace(CONTROL_CHARACTERS, " ");
}

/**
 * Renders a VM's libvirt domain XML with an XML builder (never by string concatenation): name and
 * UUID derive from the VM id, the title is escaped, the root disk is a virtio qcow2 (or raw) file,
 * SeaBIOS boots from it, and ACPI is on so that graceful shutdown and disk hot-plug work. A
 * cloud-init seed is a read-only CD-ROM; the guest agent channel is always there. It runs on every
 * create, so it uses our own small builder (`xml-element.ts`) rather than a DOM.
 */
export function buildDomainXml(spec: TDomainSpec, options: TDomainXmlOptions): string {
  const domain = xmlElement("domain", { type: options.domainType });
  domain.ele("name").txt(domainName(spec.vmId));
  domain.ele("uuid").txt(spec.vmId);
  domain.ele("title").txt(sanitizeTitle(spec.title));
  domain.ele("memory", { unit: "MiB" }).txt(String(spec.memoryMiB));
  domain.ele("currentMemory", { unit: "MiB" }).txt(String(spec.memoryMiB));
  domain.ele("vcpu", { placement: "static" }).txt(String(spec.vcpus));

  const os = domain.ele("os");
  os.ele("type", { arch: "x86_64" }).txt("hvm");
  os.ele("boot", { dev: "hd" });
  domain.ele("features").ele("acpi");
  domain.ele("clock", { offset: "utc" });
  domain.ele("on_poweroff").txt("destroy");
  domain.ele("on_reboot").txt("restart");
  domain.ele("on_crash").txt("destroy");

  const devices = domain.ele("devices");
  addDisk(devices, { ...spec.rootDisk, target: "vda" });
  for (const disk of spec.dataDisks ?? []) addDisk(devices, disk);
  if (spec.seedIso !== undefined) {
    // SATA works on both i440fx (libvirt adds the AHCI controller) and q35.
    const cdrom = devices.ele("disk", { type: "file", device: "cdrom" });
    cdrom.ele("driver", { name: "qemu", type: "raw" });
    cdrom.ele("source", { file: spec.seedIso });
    cdrom.ele("target", { dev: "sda", bus: "sata" });
    cdrom.ele("readonly");
  }
  // The QEMU guest agent's channel: password reset talks to qemu-guest-agent in the guest through it.
  devices.ele("channel", { type: "unix" }).ele("target", { type: "virtio", name: "org.qemu.guest_agent.0" });

  if (spec.nics !== undefined) {
    for (const nic of spec.nics) addInterface(devices, nic);
  } else if (options.network !== undefined) {
    const nic = devices.ele("interface", { type: "network" });
    nic.ele("source", { network: options.network });
    nic.ele("model", { type: "virtio" });
  }
  const name = domainName(spec.vmId);
  const sockets = options.consoleSocketDir;
  if (options.consoleLogFile !== undefined) {
    const serial = devices.ele("serial", { type: sockets === undefined ? "pty" : "unix" });
    if (sockets !== undefined) serial.ele("source", { mode: "bind", path: join(sockets, `${name}.serial`) });
    serial.ele("log", { file: options.consoleLogFile, append: "off" });
    serial.ele("target", { port: "0" });
    // libvirt adds the matching <console> of a unix serial port by itself.
    if (sockets === undefined) devices.ele("console", { type: "pty" }).ele("target", { type: "serial", port: "0" });
  }
  // The display listens on a UNIX socket only, never on a TCP port: the agent's console listener
  // (TLS-PSK, one-time keys) is the only way to it.
  devices.ele("graphics", { type: "vnc" }).ele("listen", sockets === undefined ? { type: "socket" } : { type: "socket", socket: join(sockets, `${name}.vnc`) });
  return domain.render();
}

/** Where a running domain's consoles are, from its LIVE XML (libvirt fills in the paths it chose). */
export interface TConsoleDevices {
  /** QEMU's VNC display socket. */
  vncSocket: string | null;
  /** The VNC display listens on a UNIX socket (in a stopped domain's XML its path may be libvirt's to choose at start). */
  vncOnSocket: boolean;
  /** The first serial port: a pty (/dev/pts/N) or a UNIX socket. */
  serial: { type: "pty" | "unix"; path: string } | null;
  /** The first serial port's log file. */
  serialLog: string | null;
}

/** The consoles of a domain's live XML; what the XML lacks is null. */
export function consoleDevices(xml: string): TConsoleDevices {
  const found: TConsoleDevices = { vncSocket: null, vncOnSocket: false, serial: null, serialLog: null };
  let seenSerial = false;
  create(xml).root().find((n) => n.node.nodeName === "devices", false, true)?.each((element) => {
    const child = (tag: string) => element.find((c) => c.node.nodeName === tag);
    if (element.node.nodeName === "graphics" && attribute(element, "type") === "vnc" && found.vncSocket === null) {
      const listen = child("listen");
      found.vncSocket = attribute(element, "socket") ?? (listen && attribute(listen, "type") === "socket" ? attribute(listen, "socket") : null);
      found.vncOnSocket = found.vncSocket !== null || (listen !== undefined && attribute(listen, "type") === "socket");
    }
    if (element.node.nodeName === "serial" && !seenSerial) {
      seenSerial = true;
      const type = attribute(element, "type");
      const source = child("source");
      // A pty's path is in the live XML twice (<serial type='pty' tty=…> and <source path=…>).
      const path = (source && attribute(source, "path")) ?? attribute(element, "tty");
      if ((type === "pty" || type === "unix") && path) found.serial = { type, path };
      const log = child("log");
      found.serialLog = log ? attribute(log, "file") : null;
    }
  });
  return found;
}

// networks (issue 17)
/** A guest NIC's `<interface>` under `parent` (a domain's `<devices>`). */
export function addInterface(parent: XmlElement, nic: TDomainNic): void {
  const element = parent.ele("interface", { type: nic.kind === "managed" ? "network" : "bridge" });
  element.ele("source", nic.kind === "managed" ? { network: nic.source } : { bridge: nic.source });
  element.ele("mac", { address: nic.mac });
  element.ele("model", { type: "virtio" });
  if (nic.filter !== undefined) element.ele("filterref", { filter: nic.filter });
}

/** The NICs of a domain's XML: which network or bridge, and the MAC. */
export function domainInterfaces(xml: string): { kind: "managed" | "bridge"; source: string; mac: string }[] {
  const nics: { kind: "managed" | "bridge"; source: string; mac: string }[] = [];
  const root = create(xml).root();
  const devices = root.find((n) => n.node.nodeName === "devices", false, true);
  devices?.each((element) => {
    if (element.node.nodeName !== "interface") return;
    const type = attribute(element, "type");
    const source = element.find((c) => c.node.nodeName === "source");
    const mac = element.find((c) => c.node.nodeName === "mac");
    const address = mac ? attribute(mac, "address") : null;
    const name = source ? attribute(source, type === "network" ? "network" : "bridge") : null;
    if ((type === "network" || type === "bridge") && name !== null && address !== null) {
      nics.push({ kind: type === "network" ? "managed" : "bridge", source: name, mac: address.toLowerCase() });
    }
  });
  return nics;
}

/** A virtio file disk under `parent` (a domain's `<devices>`, or a fresh document for attach-device). */
function addDisk<T extends TElementParent<T>>(parent: TElementParent<T>, disk: TDiskSpec): T {
  const element = parent.ele("disk", { type: "file", device: "disk" });
  element.ele("driver", disk.cache === undefined ? { name: "qemu", type: disk.format } : { name: "qemu", type: disk.format, cache: disk.cache });
  element.ele("source", { file: disk.path });
  element.ele("target", { dev: disk.target, bus: "virtio" });
  return element;
}

/** One disk's `<disk>` XML, as `virsh attach-device` and `detach-device` take it. */
export function buildDiskXml(disk: TDiskSpec): string {
  return addDisk(xmlElement("devices"), disk).render();
}

/** The `<devices>` element of a domain's XML as libvirt returned it. */
function devicesOf(xml: string): TXmlBuilder {
  const devices = create(xml).root().find((n) => n.node.nodeName === "devices", false, true);
  if (devices === undefined) throw new Error("the domain XML has no <devices> element");
  return devices;
}

/** The disks (device='disk') of a domain's XML: target device and source file. */
export function domainDisks(xml: string): { target: string; path: string | null }[] {
  return diskElements(devicesOf(xml)).map(({ target, path }) => ({ target, path }));
}

function diskElements(devices: TXmlBuilder): { element: TXmlBuilder; target: string; path: string | null }[] {
  const disks: { element: TXmlBuilder; target: string; path: string | null }[] = [];
  devices.each((element) => {
    if (element.node.nodeName !== "disk" || attribute(element, "device") !== "disk") return;
    const child = (name: string) => element.find((c) => c.node.nodeName === name);
    const targetElement = child("target");
    const sourceElement = child("source");
    const target = targetElement && attribute(targetElement, "dev");
    if (target) disks.push({ element, target, path: sourceElement ? attribute(sourceElement, "file") : null });
  });
  return disks;
}

/** An attribute of a parsed element (xmlbuilder2's nodes are DOM elements; the agent has no DOM typings). */
export function attribute(element: TXmlBuilder, name: string): string | null {
  return (element.node as unknown as { getAttribute(name: string): string | null }).getAttribute(name);
}

/** The domain XML with `disk` added to its devices (for redefining a stopped domain). */
export function withDisk(xml: string, disk: TDiskSpec): string {
  const devices = devicesOf(xml);
  addDisk(devices, disk);
  return devices.doc().end({ headless: true, prettyPrint: true });
}

/** The domain XML without the disk at `target`; unchanged when there is none. */
export function withoutDisk(xml: string, target: string): string {
  const devices = devicesOf(xml);
  for (const disk of diskElements(devices)) if (disk.target === target) disk.element.remove();
  return devices.doc().end({ headless: true, prettyPrint: true });
}
