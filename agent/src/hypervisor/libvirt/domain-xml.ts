import { create } from "xmlbuilder2";
import { domainName } from "@carve/protocol";
import type { DomainSpec } from "../hypervisor.ts";

/** libvirt's `<domain type>`: the test driver's fake, hardware virtualisation, or TCG emulation. */
export type TDomainType = "test" | "kvm" | "qemu";

/** Host-side choices that are not part of the VM's spec. */
export interface DomainXmlOptions {
  domainType: TDomainType;
  /** Log the serial console to this file (real hypervisors); no serial device when absent. */
  consoleLogFile?: string | undefined;
  /** Attach a virtio NIC to this libvirt network; no NIC when absent. */
  network?: string | undefined;
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
 * Text for the builder. xmlbuilder2 deliberately leaves `&` alone when it already looks like an
 * entity (`&amp;`, `&foo;`, `&#65;`), so a title of `&foo;` would reach libvirt as an undefined
 * entity (refused) and `&lt;` would come back as `<`. Turning every `&` into `&amp;` first makes
 * the builder's output round-trip any string exactly; `<`, `>` and quotes stay the builder's job.
 */
export function builderText(text: string): string {
  return text.replaceAll("&", "&amp;");
}

/**
 * Renders a VM's libvirt domain XML with an XML builder (never by string concatenation): name and
 * UUID derive from the VM id, the title is escaped, the root disk is a virtio qcow2 (or raw) file,
 * SeaBIOS boots from it, and ACPI is on so that graceful shutdown and disk hot-plug work. A
 * cloud-init seed is a read-only CD-ROM; the guest agent channel is always there.
 */
export function buildDomainXml(spec: DomainSpec, options: DomainXmlOptions): string {
  const doc = create({ invalidCharReplacement: " " });
  const domain = doc.ele("domain", { type: options.domainType });
  domain.ele("name").txt(domainName(spec.vmId));
  domain.ele("uuid").txt(spec.vmId);
  domain.ele("title").txt(builderText(sanitizeTitle(spec.title)));
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
  const disk = devices.ele("disk", { type: "file", device: "disk" });
  disk.ele("driver", { name: "qemu", type: spec.rootDisk.format });
  disk.ele("source", { file: spec.rootDisk.path });
  disk.ele("target", { dev: "vda", bus: "virtio" });
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

  if (options.network !== undefined) {
    const nic = devices.ele("interface", { type: "network" });
    nic.ele("source", { network: options.network });
    nic.ele("model", { type: "virtio" });
  }
  if (options.consoleLogFile !== undefined) {
    const serial = devices.ele("serial", { type: "pty" });
    serial.ele("log", { file: options.consoleLogFile, append: "off" });
    serial.ele("target", { port: "0" });
    devices.ele("console", { type: "pty" }).ele("target", { type: "serial", port: "0" });
  }
  return doc.end({ headless: true, prettyPrint: true });
}
