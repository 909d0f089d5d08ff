import { ResultCodeError } from "ldapts";
import { CarveError, isCarveError } from "../../errors/index.ts";

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE"]);
const UNREACHABLE_MESSAGES = /Connection timeout|Operation timed out|Socket error|Connection closed before message|Socket connection not established/;
const TLS_CODES = /CERT|SSL|TLS|EPROTO|SIGNATURE|ISSUER|ECDH|HANDSHAKE/;

function codeOf(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "";
}

/**
 * Turns whatever the LDAP client or the socket threw into a CarveError a person can act on:
 * DIRECTORY_UNREACHABLE (down, refused, timed out), DIRECTORY_TLS_FAILED (handshake: CA, name),
 * or DIRECTORY_MISCONFIGURED (the server answered but refused what Carve asked).
 */
export function directoryError(error: unknown, url: string, during: string): CarveError {
  if (isCarveError(error)) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
  if (TLS_CODES.test(code) || /certificate|TLS|SSL/i.test(message)) {
    return new CarveError(
      "DIRECTORY_TLS_FAILED",
      `TLS with the directory at ${url} failed while ${during}: ${message}${code ? ` (${code})` : ""}. Check that the CA certificate in the directory settings is the one that signed the server's certificate and that the certificate names this host ('carve directory set --ca-file FILE').`,
      { cause: error },
    );
  }
  if (UNREACHABLE_CODES.has(code) || UNREACHABLE_MESSAGES.test(message)) {
    return new CarveError(
      "DIRECTORY_UNREACHABLE",
      `The directory at ${url} is unreachable (${code || message}). Directory users cannot sign in until it is back; local accounts still can. An admin should check the LDAP server and 'carve directory show'.`,
      { cause: error },
    );
  }
  const detail = error instanceof ResultCodeError ? `${message} (LDAP result ${error.code})` : message;
  return new CarveError("DIRECTORY_MISCONFIGURED", `The directory at ${url} refused Carve while ${during}: ${detail}. Check the directory settings ('carve directory show').`, { cause: error });
}
