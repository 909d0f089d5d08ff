import { describe, expect, it } from "vitest";
import { diskTargetsByPath, migrationXml, parseJobProgress } from "./migration-xml.ts";

const DOMAIN = `<domain type='qemu'>
  <name>carve-1</name>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/pools/local-a/root.qcow2'/>
      <backingStore type='file'><format type='qcow2'/><source file='/pools/local-a/tiny.qcow2'/></backingStore>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/pools/shared/data.qcow2'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/var/lib/carve/seeds/carve-1.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <serial type='pty'>
      <log file='/var/log/carve/console-a/carve-1.log' append='off'/>
      <target port='0'/>
    </serial>
  </devices>
</domain>`;

describe("the domain XML a live migration sends to the destination", () => {
  it("points copied disks at their pre-created copies without a backing chain, leaves shared disks, ejects the seed CD and moves the console log", () => {
    const xml = migrationXml(DOMAIN, { diskPaths: new Map([["/pools/local-a/root.qcow2", "/pools/local-b/root.qcow2"]]), consoleLogDir: "/var/log/carve/console-b" });
    expect(xml).toContain(`file="/pools/local-b/root.qcow2"`);
    expect(xml).not.toContain("/pools/local-a/");
    expect(xml).not.toContain("backingStore");
    expect(xml).toContain(`file="/pools/shared/data.qcow2"`);
    expect(xml).not.toContain("seeds/carve-1.iso");
    expect(xml).toContain(`file="/var/log/carve/console-b/carve-1.log"`);
    expect(diskTargetsByPath(xml)).toEqual(new Map([["/pools/local-b/root.qcow2", "vda"], ["/pools/shared/data.qcow2", "vdb"]]));
  });

  // console (issue 18)
  it("drops a VNC socket path libvirt chose on this host, keeps an explicit one in the console socket directory", () => {
    const withVnc = (socket: string) => DOMAIN.replace("</devices>", `<graphics type='vnc' socket='${socket}'><listen type='socket' socket='${socket}'/></graphics></devices>`);
    const chosen = migrationXml(withVnc("/var/lib/libvirt/qemu/domain-4-carve-1/vnc.sock"), { diskPaths: new Map(), consoleSocketDir: "/run/carve" });
    expect(chosen).not.toContain("domain-4-carve-1");
    expect(chosen).toContain('<listen type="socket"/>');
    const explicit = migrationXml(withVnc("/run/carve/carve-1.vnc"), { diskPaths: new Map(), consoleSocketDir: "/run/carve" });
    expect(explicit).toContain('<listen type="socket" socket="/run/carve/carve-1.vnc"/>');
    expect(migrationXml(withVnc("/run/carve/carve-1.vnc"), { diskPaths: new Map() })).not.toContain("/run/carve/");
  });

  it("finds each file disk's target device by its path", () => {
    expect(diskTargetsByPath(DOMAIN).get("/pools/local-a/root.qcow2")).toBe("vda");
  });
});

describe("migration progress from virsh domjobinfo --rawstats", () => {
  it("reads data processed of data total, else memory", () => {
    const raw = "Job type:         Unbounded\noperation: 3\ndata_total: 1073741824\ndata_processed: 268435456\nmemory_total: 134217728\nmemory_processed: 1\n";
    expect(parseJobProgress(raw)).toEqual({ processed: 268435456, total: 1073741824 });
    expect(parseJobProgress("memory_total: 100\nmemory_processed: 25\n")).toEqual({ processed: 25, total: 100 });
    expect(parseJobProgress("Job type: None\n")).toBeNull();
  });
});
