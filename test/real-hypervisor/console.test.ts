import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { createVm, destroyVm } from "@carve/core";
import { domainName } from "@carve/protocol";
import { waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { useRealHostSuite } from "../lib/hypervisor/real-host.ts";
import { connectRfbSocket } from "../lib/hypervisor/rfb-client.ts";
import { run } from "../lib/hypervisor/run.ts";
import { TINY_BOOT_MARKER } from "../lib/hypervisor/tiny-image.ts";
import { virsh } from "../lib/hypervisor/virsh.ts";
import { until } from "../lib/stack/stack.ts";

// Issue 18's real lane, below the proxy: the display the agent defines for a VM is QEMU's VNC on a
// UNIX socket only, it shows the guest's text console, and keys sent through it reach the guest.

const suite = useRealHostSuite();

it("a booted VM's VNC display is a UNIX socket only; it shows the text console and its keyboard reaches the guest", async () => {
  const { vm, job } = await createVm(suite.stack.core, suite.dev, { name: "screen-1", template: "tiny", offering: "tiny" });
  expect((await suite.stack.finish(suite.dev, job.id)).state).toBe("Succeeded");
  const log = suite.real.consoleLog(vm.id);
  await waitForConsoleLine(log, TINY_BOOT_MARKER, 60_000);

  // libvirt chooses the socket (in the domain's private directory) and says where in the live XML.
  const live = await virsh(suite.real.uri, ["dumpxml", domainName(vm.id)]);
  const socket = /<graphics type='vnc' socket='([^']+)'/.exec(live)?.[1];
  expect(socket).toMatch(/^\/var\/lib\/libvirt\/qemu\/domain-\d+-carve-[\w-]+\/vnc\.sock$/);
  expect(live).not.toMatch(/<graphics[^>]* port=/);
  const listeners = (await run("ss", ["-ltnp"])).stdout;
  expect(listeners.split("\n").filter((line) => line.includes("qemu"))).toEqual([]);

  const rfb = await connectRfbSocket(socket ?? "?");
  try {
    // The text console (720×400 in VGA text mode) shows the boot lines and tty1's prompt.
    await until(async () => {
      await rfb.refresh();
      return rfb.nonBackgroundPixels({ x: 0, y: 0, width: rfb.width, height: Math.floor(rfb.height / 2) }) > 500;
    }, 30_000, "text on the VNC framebuffer");

    const mark = `MARK-${randomBytes(3).toString("hex")}`;
    rfb.typeLine(`echo ${mark} > /dev/ttyS0`);
    await waitForConsoleLine(log, new RegExp(`^${mark}$`), 30_000);
  } finally {
    rfb.close();
  }

  expect((await suite.stack.finish(suite.dev, (await destroyVm(suite.stack.core, suite.dev, { vm: "screen-1" })).id)).state).toBe("Succeeded");
  expect(await suite.real.objects()).toEqual({ domains: [], volumes: [] });
});
