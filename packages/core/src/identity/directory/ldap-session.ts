import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { Client, InvalidCredentialsError, type Entry } from "ldapts";
import { CarveError } from "../../errors/index.ts";
import { insecureReason, type TDirectoryConfig } from "./directory-config.ts";
import { directoryError } from "./directory-errors.ts";

/** One directory entry with its attribute values, looked up case-insensitively. */
export class LdapEntry {
  constructor(private readonly entry: Entry) {}

  get dn(): string {
    return this.entry.dn;
  }

  /** Every value of an attribute (ldapts gives a single value as a string, several as an array). */
  all(attr: string): string[] {
    const key = Object.keys(this.entry).find((k) => k.toLowerCase() === attr.toLowerCase());
    const value = key === undefined ? undefined : this.entry[key];
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => (Buffer.isBuffer(v) ? v.toString("utf8") : String(v)));
  }

  first(attr: string): string | null {
    return this.all(attr)[0] ?? null;
  }
}

/**
 * A connection to the configured directory, encrypted as configured (ldaps:// or StartTLS with
 * the configured CA), every failure mapped to a CarveError. Plain ldap:// is refused here too,
 * unless explicitly allowed, in case the setting was written around configureDirectory.
 */
export class LdapSession {
  private constructor(
    private readonly client: Client,
    private readonly config: TDirectoryConfig,
  ) {}

  static async open(config: TDirectoryConfig, timeoutMs: number): Promise<LdapSession> {
    const insecure = insecureReason(config);
    if (insecure) throw new CarveError("DIRECTORY_MISCONFIGURED", `${insecure}: fix it with 'carve directory set'.`);
    const host = new URL(config.url).hostname.replace(/^\[|\]$/g, "");
    const tlsOptions: ConnectionOptions = {
      host,
      ...(isIP(host) ? {} : { servername: host }),
      ...(config.caPem ? { ca: config.caPem } : {}),
      minVersion: "TLSv1.2",
    };
    // ldapts treats any tlsOptions as "connect with TLS": give them only to ldaps:// (StartTLS gets them below).
    const secure = config.url.startsWith("ldaps://");
    const client = new Client({ url: config.url, timeout: timeoutMs, connectTimeout: timeoutMs, ...(secure ? { tlsOptions } : {}) });
    const session = new LdapSession(client, config);
    try {
      if (config.startTls) await client.startTLS(tlsOptions);
    } catch (error) {
      await session.close();
      throw directoryError(error, config.url, "starting TLS");
    }
    return session;
  }

  /** Binds; false when the server says the credentials are wrong, a CarveError for anything else. */
  async bind(dn: string, password: string): Promise<boolean> {
    // An empty password would be an anonymous bind that "succeeds" (RFC 4513 §5.1.2).
    if (password.length === 0) return false;
    try {
      await this.client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return false;
      // A DN that is not even syntactically valid cannot be anyone's: a failed sign-in, no crash.
      if (error instanceof Error && /invalid dn|InvalidDNSyntax/i.test(`${error.name} ${error.message}`)) return false;
      throw directoryError(error, this.config.url, "binding");
    }
  }

  async search(base: string, filter: string, attributes: string[], scope: "base" | "sub" = "sub"): Promise<LdapEntry[]> {
    try {
      const { searchEntries } = await this.client.search(base, { scope, filter, attributes, paged: scope === "sub" ? { pageSize: 500 } : false });
      return searchEntries.map((e) => new LdapEntry(e));
    } catch (error) {
      if (error instanceof Error && error.name === "NoSuchObjectError") return [];
      throw directoryError(error, this.config.url, "searching");
    }
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}
