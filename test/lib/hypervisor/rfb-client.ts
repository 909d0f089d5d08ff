import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

// A minimal RFB 3.8 (VNC) client of our own, for tests that read a guest's screen and type into it
// without a browser: security type None only, 32 bpp true colour, Raw encoding (plus the
// DesktopSize pseudo-encoding, since the guest switches video modes while it boots). It speaks over
// any Duplex, so a test can put it on QEMU's UNIX socket directly or behind the console proxy.

const RFB_VERSION = 'RFB 003.008\n';
const SECURITY_NONE = 1;
const ENCODING_RAW = 0;
const ENCODING_DESKTOP_SIZE = -223;
/** X11 keysyms the typing helper needs besides Latin-1 characters (which are their own keysym). */
export const KEYSYM = { Return: 0xff0d, BackSpace: 0xff08, ShiftLeft: 0xffe1 } as const;
// QEMU turns keysyms into PC scancodes and does not add Shift itself: a browser (noVNC) sends Shift
// around these on a US layout, so the client does too (and so does a test typing into noVNC).
export const US_SHIFTED = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZ~!@#$%^&*()_+{}|:"<>?');

/** A rectangle of the framebuffer, in pixels. */
export interface TRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Buffers a stream's bytes so the protocol can read exactly n of them at a time. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: (() => void) | null = null;
  private ended: Error | null = null;

  constructor(stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.wake();
    });
    stream.on('error', (error) => this.end(error));
    stream.on('close', () => this.end(new Error('the VNC stream closed')));
  }

  private end(error: Error): void {
    this.ended ??= error;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  async read(n: number): Promise<Buffer> {
    while (this.length < n) {
      if (this.ended) throw new Error(`RFB: wanted ${n} bytes, have ${this.length}: ${this.ended.message}`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = n < all.length ? [all.subarray(n)] : [];
    this.length -= n;
    return all.subarray(0, n);
  }
}

/**
 * One VNC session. `connect` does the handshake (version 3.8, security None, shared ClientInit,
 * SetPixelFormat 32 bpp little-endian BGRX, SetEncodings Raw + DesktopSize); the framebuffer is then
 * filled by `refresh`. Not thread-safe: one caller at a time, as tests are.
 */
export class RfbClient {
  width = 0;
  height = 0;
  name = '';
  /** width × height pixels of 4 bytes: blue, green, red, unused. */
  framebuffer = Buffer.alloc(0);

  private constructor(
    private readonly stream: Duplex,
    private readonly reader: ByteReader,
  ) {}

  /** Speaks RFB 3.8 over `stream` up to and including ServerInit and the client's format choices. */
  static async connect(stream: Duplex): Promise<RfbClient> {
    const client = new RfbClient(stream, new ByteReader(stream));
    await client.handshake();
    return client;
  }

  private async handshake(): Promise<void> {
    const version = (await this.reader.read(12)).toString('latin1');
    if (!/^RFB 003\.00[89]\n$/.test(version)) throw new Error(`RFB: the server speaks ${JSON.stringify(version)}, not RFB 3.8`);
    this.stream.write(RFB_VERSION);
    const count = (await this.reader.read(1)).readUInt8(0);
    if (count === 0) throw new Error(`RFB: the server refused the connection: ${await this.reasonString()}`);
    const types = [...(await this.reader.read(count))];
    if (!types.includes(SECURITY_NONE)) throw new Error(`RFB: the server wants authentication (security types ${types.join(', ')}); this client speaks only None`);
    this.stream.write(Buffer.from([SECURITY_NONE]));
    if ((await this.reader.read(4)).readUInt32BE(0) !== 0) throw new Error(`RFB: security handshake failed: ${await this.reasonString()}`);
    this.stream.write(Buffer.from([1])); // ClientInit: shared, so a second viewer does not kick the first
    const init = await this.reader.read(24);
    this.resize(init.readUInt16BE(0), init.readUInt16BE(2));
    this.name = (await this.reader.read(init.readUInt32BE(20))).toString('utf8');

    const setPixelFormat = Buffer.alloc(20);
    setPixelFormat.writeUInt8(0, 0);
    // bpp 32, depth 24, little-endian, true colour, max 255 for each, shifts red 16 green 8 blue 0.
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(setPixelFormat, 4);
    const encodings = [ENCODING_RAW, ENCODING_DESKTOP_SIZE];
    const setEncodings = Buffer.alloc(4 + 4 * encodings.length);
    setEncodings.writeUInt8(2, 0);
    setEncodings.writeUInt16BE(encodings.length, 2);
    encodings.forEach((encoding, i) => setEncodings.writeInt32BE(encoding, 4 + 4 * i));
    this.stream.write(Buffer.concat([setPixelFormat, setEncodings]));
  }

  private async reasonString(): Promise<string> {
    const length = (await this.reader.read(4)).readUInt32BE(0);
    return (await this.reader.read(length)).toString('utf8');
  }

  private resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.framebuffer = Buffer.alloc(width * height * 4);
  }

  /**
   * Asks for the whole screen (or only what changed, `incremental`) and applies server messages
   * until one FramebufferUpdate has been read. A DesktopSize change asks again for the new size.
   */
  async refresh(incremental = false): Promise<void> {
    this.requestUpdate(incremental);
    for (;;) {
      const type = (await this.reader.read(1)).readUInt8(0);
      if (type === 0) {
        if (await this.readFramebufferUpdate()) this.requestUpdate(false);
        else return;
      } else if (type === 1) {
        const header = await this.reader.read(5); // padding, first colour, number of colours
        await this.reader.read(6 * header.readUInt16BE(3));
      } else if (type === 2) {
        // Bell: nothing to do.
      } else if (type === 3) {
        const header = await this.reader.read(7); // padding, length
        await this.reader.read(header.readUInt32BE(3));
      } else {
        throw new Error(`RFB: unknown server message type ${type}`);
      }
    }
  }

  private requestUpdate(incremental: boolean): void {
    const request = Buffer.alloc(10);
    request.writeUInt8(3, 0);
    request.writeUInt8(incremental ? 1 : 0, 1);
    request.writeUInt16BE(this.width, 6);
    request.writeUInt16BE(this.height, 8);
    this.stream.write(request);
  }

  /** Applies one FramebufferUpdate; true when it resized the desktop. */
  private async readFramebufferUpdate(): Promise<boolean> {
    const rects = (await this.reader.read(3)).readUInt16BE(1);
    let resized = false;
    for (let i = 0; i < rects; i++) {
      const header = await this.reader.read(12);
      const x = header.readUInt16BE(0);
      const y = header.readUInt16BE(2);
      const width = header.readUInt16BE(4);
      const height = header.readUInt16BE(6);
      const encoding = header.readInt32BE(8);
      if (encoding === ENCODING_DESKTOP_SIZE) {
        this.resize(width, height);
        resized = true;
      } else if (encoding === ENCODING_RAW) {
        const pixels = await this.reader.read(width * height * 4);
        for (let row = 0; row < height; row++) {
          if (y + row >= this.height) break;
          const copyWidth = Math.max(0, Math.min(width, this.width - x));
          pixels.copy(this.framebuffer, ((y + row) * this.width + x) * 4, row * width * 4, (row * width + copyWidth) * 4);
        }
      } else {
        throw new Error(`RFB: the server sent encoding ${encoding}, which was not asked for`);
      }
    }
    return resized;
  }

  /** The pixel at (x, y) as 0xRRGGBB. */
  pixel(x: number, y: number): number {
    return this.framebuffer.readUInt32LE((y * this.width + x) * 4) & 0xffffff;
  }

  /**
   * How many pixels of `rect` (default: the whole screen) differ from the screen's most common
   * colour, its background: text drawn on a console shows up as such pixels.
   */
  nonBackgroundPixels(rect: TRect = { x: 0, y: 0, width: this.width, height: this.height }): number {
    const counts = new Map<number, number>();
    for (let y = 0; y < this.height; y++) for (let x = 0; x < this.width; x++) counts.set(this.pixel(x, y), (counts.get(this.pixel(x, y)) ?? 0) + 1);
    const background = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    let lit = 0;
    for (let y = rect.y; y < Math.min(rect.y + rect.height, this.height); y++) {
      for (let x = rect.x; x < Math.min(rect.x + rect.width, this.width); x++) if (this.pixel(x, y) !== background) lit++;
    }
    return lit;
  }

  /** Presses and releases one key (an X11 keysym; Latin-1 characters are their own). */
  pressKey(keysym: number): void {
    this.stream.write(Buffer.concat([keyEvent(keysym, true), keyEvent(keysym, false)]));
  }

  /** Types `text` (printable ASCII) as a US keyboard would, with Shift where needed, then Return. */
  typeLine(text: string): void {
    const events: Buffer[] = [];
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      if (code < 0x20 || code > 0x7e) throw new Error(`RFB: typeLine types printable ASCII only, not ${JSON.stringify(char)}`);
      const shift = US_SHIFTED.has(char);
      if (shift) events.push(keyEvent(KEYSYM.ShiftLeft, true));
      events.push(keyEvent(code, true), keyEvent(code, false));
      if (shift) events.push(keyEvent(KEYSYM.ShiftLeft, false));
    }
    events.push(keyEvent(KEYSYM.Return, true), keyEvent(KEYSYM.Return, false));
    this.stream.write(Buffer.concat(events));
  }

  close(): void {
    this.stream.destroy();
  }
}

function keyEvent(keysym: number, down: boolean): Buffer {
  const event = Buffer.alloc(8);
  event.writeUInt8(4, 0);
  event.writeUInt8(down ? 1 : 0, 1);
  event.writeUInt32BE(keysym, 4);
  return event;
}

/** Connects an RfbClient to a VNC server's UNIX socket (QEMU's `<graphics type='vnc' socket=…>`). */
export function connectRfbSocket(path: string): Promise<RfbClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      RfbClient.connect(socket).then(resolve, (error: unknown) => {
        socket.destroy();
        reject(error);
      });
    });
  });
}
