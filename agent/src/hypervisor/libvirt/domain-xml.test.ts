import { create } from "xmlbuilder2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SharedFilesystemProbe } from "./disk-cache.ts";
import type { TDomainSpec } from "../hypervisor.ts";
import { buildDiskXml, buildDomainXml, consoleDevices, domainDisks, sanitizeTitle, withDisk, withoutDisk } from "./domain-xml.ts";

const VM_ID = "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1";
const SPEC: TDomainSpec = {
  vmId: VM_ID,
  title: "dev box",
  vcpus: 2,
  memoryMiB: 1024,
  rootDisk: { path: "/var/lib/libvirt/images/carve-x.qcow2", format: "qcow2" },
};

/**
 * The decoded text of the first `<tag>` element. (xmlbuilder2's own parser decodes `&amp;#65;` twice,
 * so the test decodes the five predefined entities itself, `&amp;` last, as libxml2 would.)
 */
function textOf(xml: string, tag: string): string | null {
  const raw = new RegExp(`<${tag}(?: [^>]*)?>([^<]*)</${tag}>`).exec(xml)?.[1];
  if (raw === undefined) return null;
  return raw
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

/** The XML without the indentation between elements. */
const compact = (xml: string): string => xml.replace(/>\s+</g, "><");

describe("buildDomainXml", () => {
  it("derives name and uuid from the VM id and sizes the domain from the spec", () => {
    const xml = buildDomainXml(SPEC, { domainType: "qemu" });
    expect(xml).toMatch(/^<domain type="qemu">/);
    expect(textOf(xml, "name")).toBe(`carve-${VM_ID}`);
    expect(textOf(xml, "uuid")).toBe(VM_ID);
    expect(textOf(xml, "vcpu")).toBe("2");
    expect(xml).toContain('<memory unit="MiB">1024</memory>');
    expect(xml).toContain("<acpi/>");
    expect(xml).toContain('<boot dev="hd"/>');
    expect(xml).toContain('<driver name="qemu" type="qcow2"/>');
    expect(xml).toContain('<source file="/var/lib/libvirt/images/carve-x.qcow2"/>');
    expect(xml).toContain('<target dev="vda" bus="virtio"/>');
  });

  it("attaches a cloud-init seed as a read-only CD-ROM only when there is one, and always the guest agent channel", () => {
    const seeded = buildDomainXml({ ...SPEC, seedIso: "/var/lib/carve/seeds/carve-x-seed.iso" }, { domainType: "qemu" });
    expect(seeded).toMatch(/<disk type="file" device="cdrom">\s*<driver name="qemu" type="raw"\/>\s*<source file="\/var\/lib\/carve\/seeds\/carve-x-seed.iso"\/>\s*<target dev="sda" bus="sata"\/>\s*<readonly\/>\s*<\/disk>/);
    const plain = buildDomainXml(SPEC, { domainType: "qemu" });
    expect(plain).not.toContain('device="cdrom"');
    for (const xml of [seeded, plain]) expect(xml).toContain('<target type="virtio" name="org.qemu.guest_agent.0"/>');
  });

  it("escapes a hostile title so it stays text", () => {
    const title = `</title><devices><disk file="/etc/shadow"/></devices><title>&amp;'"`;
    const xml = buildDomainXml({ ...SPEC, title }, { domainType: "test" });
    expect(textOf(xml, "title")).toBe(title);
    expect(xml).not.toContain("<disk file=");
    expect(() => create(xml)).not.toThrow();
  });

  it.each(["&foo;", "&amp;", "&#65;", "&lt;b&gt;", "a & b", "]]>", "<![CDATA[x]]>"])("keeps the title %j exactly", (title) => {
    expect(textOf(buildDomainXml({ ...SPEC, title }, { domainType: "test" }), "title")).toBe(title);
  });

  it("turns control characters (newlines, NUL) into spaces: libvirt refuses them in a title", () => {
    expect(sanitizeTitle("a\nb\u0000c\u007fd\te")).toBe("a b c d e");
    const xml = buildDomainXml({ ...SPEC, title: "line1\nline2\u0000" }, { domainType: "test" });
    expect(textOf(xml, "title")).toBe("line1 line2 ");
  });

  it("logs the serial console only when a log file is given", () => {
    const withConsole = buildDomainXml(SPEC, { domainType: "kvm", consoleLogFile: `/var/log/carve/console/carve-${VM_ID}.log` });
    expect(withConsole).toContain(`<log file="/var/log/carve/console/carve-${VM_ID}.log" append="off"/>`);
    expect(withConsole).toContain('<serial type="pty">');
    expect(withConsole).toContain('<console type="pty">');
    const without = buildDomainXml(SPEC, { domainType: "test" });
    expect(without).not.toContain("<serial");
    expect(without).not.toContain("<console");
  });

  // console (issue 18)
  it("gives every domain a VNC display on a UNIX socket libvirt places, never a TCP port", () => {
    for (const xml of [buildDomainXml(SPEC, { domainType: "test" }), buildDomainXml(SPEC, { domainType: "kvm", consoleLogFile: "/var/log/carve/console/x.log" })].map(compact)) {
      expect(xml).toContain('<graphics type="vnc"><listen type="socket"/></graphics>');
      expect(xml).not.toMatch(/<graphics[^>]*port=|autoport|listen type="address"/);
    }
  });

  it("with a console socket directory, puts the display and a unix serial port (still logged) at per-domain paths there", () => {
    const xml = compact(buildDomainXml(SPEC, { domainType: "test", consoleLogFile: `/logs/carve-${VM_ID}.log`, consoleSocketDir: "/run/carve" }));
    expect(xml).toContain(`<listen type="socket" socket="/run/carve/carve-${VM_ID}.vnc"/>`);
    expect(xml).toContain(`<serial type="unix"><source mode="bind" path="/run/carve/carve-${VM_ID}.serial"/><log file="/logs/carve-${VM_ID}.log" append="off"/>`);
    expect(xml).not.toContain("pty");
  });

  it("reads the consoles back from a live XML: libvirt's chosen VNC socket, a pty serial port or a unix one, and its log", () => {
    const live = `<domain><devices>
      <serial type='pty'><source path='/dev/pts/7'/><log file='/var/log/carve/console/c.log' append='off'/><target port='0'/></serial>
      <serial type='pty'><source path='/dev/pts/8'/></serial>
      <graphics type='vnc' socket='/var/lib/libvirt/qemu/domain-3-c/vnc.sock'><listen type='socket' socket='/var/lib/libvirt/qemu/domain-3-c/vnc.sock'/></graphics>
    </devices></domain>`;
    expect(consoleDevices(live)).toEqual({ vncSocket: "/var/lib/libvirt/qemu/domain-3-c/vnc.sock", vncOnSocket: true, serial: { type: "pty", path: "/dev/pts/7" }, serialLog: "/var/log/carve/console/c.log" });
    const explicit = buildDomainXml(SPEC, { domainType: "test", consoleLogFile: "/logs/c.log", consoleSocketDir: "/run/carve" });
    expect(consoleDevices(explicit)).toEqual({ vncSocket: `/run/carve/carve-${VM_ID}.vnc`, vncOnSocket: true, serial: { type: "unix", path: `/run/carve/carve-${VM_ID}.serial` }, serialLog: "/logs/c.log" });
    expect(consoleDevices("<domain><devices/></domain>")).toEqual({ vncSocket: null, vncOnSocket: false, serial: null, serialLog: null });
  });

  it("tells a display on a socket libvirt picks at start from one on a TCP port (a domain defined before consoles)", () => {
    expect(consoleDevices(buildDomainXml(SPEC, { domainType: "qemu" }))).toMatchObject({ vncSocket: null, vncOnSocket: true });
    expect(consoleDevices("<domain><devices><graphics type='vnc' port='-1' autoport='yes'><listen type='address' address='0.0.0.0'/></graphics></devices></domain>")).toMatchObject({ vncOnSocket: false });
  });

  it("adds a virtio NIC only when a network is configured", () => {
    expect(buildDomainXml(SPEC, { domainType: "qemu" })).not.toContain("<interface");
    const xml = buildDomainXml(SPEC, { domainType: "qemu", network: "default" });
    expect(xml).toContain('<interface type="network">');
    expect(xml).toContain('<source network="default"/>');
    expect(xml).toContain('<model type="virtio"/>');
  });

  it("uses the raw driver for raw disks", () => {
    const xml = buildDomainXml({ ...SPEC, rootDisk: { path: "/x/y.img", format: "raw" } }, { domainType: "qemu" });
    expect(xml).toContain('<driver name="qemu" type="raw"/>');
  });

  it("renders data disks after the root disk, and adds or removes one in an existing domain's XML", () => {
    const xml = buildDomainXml({ ...SPEC, dataDisks: [{ path: "/p/carve-d1.qcow2", format: "qcow2", target: "vdb" }] }, { domainType: "qemu" });
    expect(domainDisks(xml)).toEqual([
      { target: "vda", path: SPEC.rootDisk.path },
      { target: "vdb", path: "/p/carve-d1.qcow2" },
    ]);
    const added = withDisk(xml, { path: "/p/carve-d2.qcow2", format: "qcow2", target: "vdc" });
    expect(domainDisks(added).map((d) => d.target)).toEqual(["vda", "vdb", "vdc"]);
    const removed = withoutDisk(added, "vdb");
    expect(domainDisks(removed)).toEqual([
      { target: "vda", path: SPEC.rootDisk.path },
      { target: "vdc", path: "/p/carve-d2.qcow2" },
    ]);
    // Everything else survives the round trip (the title with markup stays escaped).
    expect(withoutDisk(withDisk(xml, { path: "/p/x.qcow2", format: "qcow2", target: "vdd" }), "vdd")).toBe(xml);
    expect(buildDiskXml({ path: "/p/carve-d2.qcow2", format: "raw", target: "vdc" })).toBe(
      '<disk type="file" device="disk">\n  <driver name="qemu" type="raw"/>\n  <source file="/p/carve-d2.qcow2"/>\n  <target dev="vdc" bus="virtio"/>\n</disk>',
    );
  });
});

describe("disk cache modes", () => {
  it("turns the host page cache off only for disks marked as on a shared filesystem", () => {
    const xml = buildDomainXml(
      { ...SPEC, rootDisk: { ...SPEC.rootDisk, cache: "none" }, dataDisks: [{ path: "/local/carve-d.qcow2", format: "qcow2", target: "vdb" }] },
      { domainType: "qemu" },
    );
    expect(xml).toContain('<driver name="qemu" type="qcow2" cache="none"/>\n      <source file="/var/lib/libvirt/images/carve-x.qcow2"/>');
    expect(xml).toContain('<driver name="qemu" type="qcow2"/>\n      <source file="/local/carve-d.qcow2"/>');
  });

  it("finds that a directory on this machine's local disk is not shared", async () => {
    const probe = new SharedFilesystemProbe();
    expect(await probe.isShared(tmpdir())).toBe(false);
    expect(await probe.withCacheMode({ path: join(tmpdir(), "x.qcow2"), format: "qcow2", target: "vdb" })).toEqual({ path: join(tmpdir(), "x.qcow2"), format: "qcow2", target: "vdb" });
  });
});
