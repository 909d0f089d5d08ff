import { CarveError } from "../errors/index.ts";
import { TEMPLATE_SETTING_KEYS, type TTemplateSettings } from "../settings/template-settings.ts";
import { checkHostAddresses, PRIVATE_CLASSES, type TResolver } from "./classify-address.ts";

/** A parsed http(s) URL that passed the scheme and allow-list checks. */
export interface TCheckedSource {
  url: URL;
  /** `host` or `[v6]`, lower-case, as in the allow-list. */
  hostname: string;
  port: number;
}

const refused = (message: string, field = "url") => new CarveError("TEMPLATE_SOURCE_REFUSED", message, { fields: [{ field, message }] });

/**
 * Checks a template source URL (the registered one and every redirect) against the scheme rule and
 * the allow-list, without any network access. `what` says which URL it is, for the message.
 */
export function checkSourceUrl(raw: string, settings: TTemplateSettings, what = "the URL"): TCheckedSource {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(`${what} '${raw}' is not a valid URL; give an http:// or https:// URL of the image.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refused(`${what} uses '${url.protocol.replace(/:$/, "")}', but templates download over http or https only; give an http:// or https:// URL.`);
  }
  if (url.username !== "" || url.password !== "") {
    // They would rest in plain text on the template row.
    throw refused(`${what} carries a user name or password; Carve does not store credentials in template URLs: publish the image without them.`);
  }
  const hostname = url.hostname.toLowerCase();
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const allowed = settings.allowedHosts.some((entry) => entry === hostname || entry === `${hostname}:${port}`);
  if (!allowed) {
    const list = settings.allowedHosts.length > 0 ? `it holds ${settings.allowedHosts.join(", ")}` : "it is empty";
    throw refused(
      `${what} points at ${hostname}:${port}, which is not on the template source allow-list (setting ${TEMPLATE_SETTING_KEYS.allowedHosts}; ${list}). ` +
        `An admin can allow it with 'carve settings templates --allow-host ${hostname}' (or ${hostname}:${port} for that port only).`,
    );
  }
  return { url, hostname, port };
}

/**
 * Resolves the source's host and checks every address it has (see classify-address.ts). Returns the
 * address to connect to: connecting anywhere else would let a second DNS answer slip past the check.
 */
export async function checkSourceAddress(source: TCheckedSource, settings: TTemplateSettings, resolver: TResolver): Promise<string> {
  const checked = await checkHostAddresses(source.hostname, resolver, settings.allowPrivateAddresses);
  if (checked.ok) return checked.address;
  if (checked.refusal === null) throw refused(`${source.hostname} has no address (DNS gave none); check the host name in the URL.`);
  const { address, kind } = checked.refusal;
  const fix = PRIVATE_CLASSES.has(kind)
    ? `An admin can allow loopback and private addresses with 'carve settings templates --allow-private' (setting ${TEMPLATE_SETTING_KEYS.allowPrivateAddresses}).`
    : "Carve never downloads from such addresses; publish the image on a public or private (RFC 1918) address.";
  throw refused(`${source.hostname} resolves to ${address}, a ${kind} address, and template downloads may not go there. ${fix}`);
}
