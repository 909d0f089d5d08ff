import { constants, openSync } from "node:fs";
import { open } from "node:fs/promises";
import { connect } from "node:net";
import { ReadStream, WriteStream } from "node:tty";
import type { Readable, Writable } from "node:stream";
import { CONSOLE_LOG_TAIL_BYTES, type TConsoleStreamKind } from "@carve/protocol";
import type { THypervisor } from "../hypervisor/hypervisor.ts";
import { consoleDevices } from "../hypervisor/libvirt/domain-xml.ts";

/** What the console needs of the hypervisor: a running domain's live definition. */
export type TConsoleHypervisor = Pick<THypervisor, "domainXml" | "getDomain">;

/** A VM's console, opened: the serial log's tail to send first, then the live bytes both ways (none for kind log). */
export interface TOpenedDisplay {
  tail: Buffer;
  live: { input: Readable; output: Writable; close(): void } | null;
}

/** Why a console could not be opened (logged; the stream is then closed). */
export class DisplayUnavailable extends Error {}

/**
 * Opens the console of `kind` of a RUNNING domain, at the path its live XML names (libvirt's, never
 * a job's): QEMU's VNC socket; the first serial port (a pty or a UNIX socket) after its log's last
 * 16 KiB; or that tail alone.
 */
export async function openDisplay(hypervisor: TConsoleHypervisor, domain: string, kind: TConsoleStreamKind): Promise<TOpenedDisplay> {
  const status = await hypervisor.getDomain(domain);
  if (status === null) throw new DisplayUnavailable(`domain ${domain} is not defined on this host`);
  const devices = consoleDevices(await hypervisor.domainXml(domain));
  if (kind === "vnc") {
    if (status.state !== "running") throw new DisplayUnavailable(`domain ${domain} is ${status.state}: it has no display`);
    if (devices.vncSocket === null) throw new DisplayUnavailable(`domain ${domain} has no VNC display on a UNIX socket (it was defined before consoles existed: stop and start it through Carve)`);
    return { tail: Buffer.alloc(0), live: await connectSocket(devices.vncSocket) };
  }
  const tail = devices.serialLog === null ? Buffer.alloc(0) : await readTail(devices.serialLog, CONSOLE_LOG_TAIL_BYTES);
  if (kind === "log") return { tail, live: null };
  if (status.state !== "running") throw new DisplayUnavailable(`domain ${domain} is ${status.state}: its serial port is closed`);
  if (devices.serial === null) throw new DisplayUnavailable(`domain ${domain} has no serial port`);
  return { tail, live: devices.serial.type === "unix" ? await connectSocket(devices.serial.path) : openPty(devices.serial.path) };
}

function connectSocket(path: string): Promise<NonNullable<TOpenedDisplay["live"]>> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once("error", (error) => reject(new DisplayUnavailable(`cannot connect to ${path}: ${error.message}`)));
    socket.once("connect", () => resolve({ input: socket, output: socket, close: () => socket.destroy() }));
  });
}

/**
 * QEMU holds the pty's master; we open its slave as `virsh console` does. Raw mode, or the tty's
 * line discipline would echo the guest's output back into the guest and cook what we type.
 * Two descriptors, one per stream: libuv reopens a tty slave and owns (closes) each descriptor.
 */
function openPty(path: string): NonNullable<TOpenedDisplay["live"]> {
  const flags = constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK;
  const input = new ReadStream(openSync(path, flags));
  input.setRawMode(true);
  const output = new WriteStream(openSync(path, flags));
  return {
    input,
    output,
    close: () => {
      input.destroy();
      output.destroy();
    },
  };
}

/** The last `bytes` of a file (all of a smaller one); a missing file is empty (nothing logged yet). */
export async function readTail(path: string, bytes: number): Promise<Buffer> {
  let file;
  try {
    file = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw error;
  }
  try {
    const { size } = await file.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, size - length);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
