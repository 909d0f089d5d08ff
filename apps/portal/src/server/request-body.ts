import { CarveError } from "@carve/core";

/** The largest request body the API reads: a VM create is well under 10 KiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
const LIMIT = "1 MiB";

function tooLarge(): CarveError {
  return new CarveError("PAYLOAD_TOO_LARGE", `The request body is larger than the API's limit of ${LIMIT}: send less.`);
}

/** PAYLOAD_TOO_LARGE when the request announces a body over the limit (before reading any of it). */
export function refuseLargeBody(request: Request): void {
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) throw tooLarge();
}

/** The body as text, reading no more than the limit (a body sent without a length is counted as it arrives). */
async function limitedText(request: Request): Promise<string> {
  refuseLargeBody(request);
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The request's JSON body: UNSUPPORTED_MEDIA_TYPE unless it is sent as JSON, PAYLOAD_TOO_LARGE
 * over MAX_BODY_BYTES, INVALID_INPUT when it does not parse.
 */
export async function jsonBody(request: Request): Promise<unknown> {
  refuseOtherMediaType(request);
  return parseJson(await limitedText(request));
}

/** jsonBody for a route whose body may be left out: no body (or only white space) is `{}`. */
export async function optionalJsonBody(request: Request): Promise<unknown> {
  const text = await limitedText(request);
  if (text.trim() === "") return {};
  refuseOtherMediaType(request);
  return parseJson(text);
}

function refuseOtherMediaType(request: Request): void {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new CarveError("UNSUPPORTED_MEDIA_TYPE", `The request body must be JSON: send it with 'Content-Type: application/json'${type ? ` (not ${type.slice(0, 100)})` : ""}.`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CarveError("INVALID_INPUT", "Invalid input. body: is not JSON: send a JSON object with Content-Type: application/json", {
      fields: [{ field: "body", message: "is not JSON" }],
    });
  }
}

