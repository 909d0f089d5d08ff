import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { request as httpRequest, STATUS_CODES, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { TEMPLATE_SETTING_KEYS, type TTemplateSettings } from "../settings/template-settings.ts";
import type { TResolver } from "./classify-address.ts";
import { checkSourceAddress, checkSourceUrl, type TCheckedSource } from "./source-policy.ts";

/** Redirects followed before giving up. */
export const MAX_REDIRECTS = 5;

export interface TFetchImageOptions {
  url: string;
  settings: TTemplateSettings;
  resolver: TResolver;
  /** Where the bytes go (created or truncated). */
  dest: string;
  /** A connection, or a response, silent this long fails the download. */
  idleTimeoutMs: number;
  /** Called for every chunk written (the caller throttles what it does with it). */
  onProgress(bytes: number, totalBytes: number | null): void;
  signal: AbortSignal;
}

/** A download that failed for a reason the admin can act on; the message says which. */
export class ImageFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageFetchError";
  }
}

/**
 * Downloads an image to `dest`, streaming: bytes are hashed (sha256) and counted as they pass, never
 * held in memory. Every hop (the URL and each redirect, at most {@link MAX_REDIRECTS}) is checked
 * against the allow-list and the address rules before anything connects to it, and the connection
 * goes to the address that was checked. Policy refusals throw CarveError TEMPLATE_SOURCE_REFUSED,
 * network and HTTP failures ImageFetchError, cancellation the signal's AbortError.
 */
export async function fetchImage(options: TFetchImageOptions): Promise<{ bytes: number; sha256: string }> {
  let source = checkSourceUrl(options.url, options.settings);
  for (let hop = 0; ; hop++) {
    const { response, timedOut } = await get(source, await checkSourceAddress(source, options.settings, options.resolver), options);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location !== undefined) {
      response.resume();
      if (hop === MAX_REDIRECTS) throw new ImageFetchError(`${options.url} redirects more than ${MAX_REDIRECTS} times; give the image's final URL.`);
      const next = new URL(response.headers.location, source.url).toString();
      source = checkSourceUrl(next, options.settings, `a redirect from ${source.url.host} (to ${next})`);
      continue;
    }
    if (status !== 200) {
      response.resume();
      const hint = status === 404 || status === 410 ? "check the URL (the image is not there)" : status >= 500 ? "the server failed; try again later" : "check the URL and that the server allows anonymous downloads";
      throw new ImageFetchError(`${source.url} answered HTTP ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd() + `; ${hint}.`);
    }
    return save(response, timedOut, options);
  }
}

/**
 * One GET to `address` for `source` (Host header and TLS name stay the URL's host). `timedOut`
 * gives the idle-timeout error once it fired, so a body cut off by it fails with that message.
 */
function get(source: TCheckedSource, address: string, options: TFetchImageOptions): Promise<{ response: IncomingMessage; timedOut: () => ImageFetchError | null }> {
  const { url, hostname, port } = source;
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const bare = hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const req = request({
      host: address,
      port,
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: { host: url.host, "user-agent": "carve-template-fetcher", "accept-encoding": "identity" },
      // Certificates are checked against the URL's name, not the address we connect to.
      ...(url.protocol === "https:" && isIP(bare) === 0 ? { servername: bare } : {}),
      agent: false,
      signal: options.signal,
    });
    let timeout: ImageFetchError | null = null;
    req.setTimeout(options.idleTimeoutMs, () => {
      timeout = new ImageFetchError(`${url.host} sent nothing for ${options.idleTimeoutMs / 1000} s; check that the server is up, then register the template again.`);
      req.destroy(timeout);
    });
    req.on("response", (response) => resolve({ response, timedOut: () => timeout }));
    req.on("error", (error) => reject(error instanceof ImageFetchError || error.name === "AbortError" ? error : new ImageFetchError(`could not download from ${url.host}: ${error.message}; check the URL and that the server is reachable from the controller.`)));
    req.end();
  });
}

/** Streams the body to `dest`, hashing, counting and enforcing the size limit. */
async function save(response: IncomingMessage, timedOut: () => ImageFetchError | null, options: TFetchImageOptions): Promise<{ bytes: number; sha256: string }> {
  const { maxBytes } = options.settings;
  const tooLarge = (size: string) =>
    new ImageFetchError(`the image is ${size}, larger than the limit of ${maxBytes} bytes (setting ${TEMPLATE_SETTING_KEYS.maxBytes}); an admin can raise it with 'carve settings templates --max-bytes N'.`);
  const length = Number(response.headers["content-length"]);
  const total = Number.isInteger(length) && length >= 0 ? length : null;
  if (total !== null && total > maxBytes) {
    response.resume();
    throw tooLarge(`${total} bytes`);
  }
  const hash = createHash("sha256");
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge(`more than ${maxBytes} bytes`));
      hash.update(chunk);
      options.onProgress(bytes, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, meter, createWriteStream(options.dest), { signal: options.signal });
  } catch (error) {
    if (error instanceof ImageFetchError || (error instanceof Error && error.name === "AbortError")) throw error;
    const timeout = timedOut();
    if (timeout) throw timeout;
    throw new ImageFetchError(`the download broke off after ${bytes} bytes (${error instanceof Error ? error.message : String(error)}); register the template again.`);
  }
  if (total !== null && bytes !== total) {
    throw new ImageFetchError(`the server announced ${total} bytes but sent ${bytes}; register the template again.`);
  }
  return { bytes, sha256: hash.digest("hex") };
}
