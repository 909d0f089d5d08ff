import { DomainState, Hypervisor as LibvirtConnection, type Domain } from "@unraid/libvirt";
import { libvirtFailure, messageOf } from "../errors.ts";
import type { TDomainStatus, TNodeSummary, TDomainState } from "../hypervisor.ts";

const DOMAIN_NOT_FOUND = /domain not found|no domain with matching/i;
const NOT_RUNNING = /not running/i;
const ALREADY_RUNNING = /already running|already active/i;

/** libvirt's domain states folded into Carve's four. */
export function toDomainState(state: DomainState): TDomainState {
  switch (state) {
    case DomainState.RUNNING:
    case DomainState.BLOCKED:
      return "running";
    case DomainState.PAUSED:
    case DomainState.PMSUSPENDED:
      return "paused";
    case DomainState.SHUTOFF:
      return "stopped";
    default:
      return "other";
  }
}

/**
 * Domains and node info through @unraid/libvirt. A transient failure (connection lost) marks the
 * connection stale so the next call reopens it.
 */
export class BindingDomains {
  private connection: LibvirtConnection | null = null;

  constructor(private readonly uri: string) {}

  /** Opens the connection if needed. */
  async open(): Promise<LibvirtConnection> {
    if (this.connection !== null) return this.connection;
    const connection = new LibvirtConnection({ uri: this.uri });
    await this.call(`libvirt could not open ${this.uri}`, () => connection.connectOpen());
    this.connection = connection;
    return connection;
  }

  async nodeInfo(): Promise<TNodeSummary> {
    const c = await this.open();
    const info = await this.call("libvirt could not read node info", () => c.nodeGetInfo());
    const hostname = await this.call("libvirt could not read the hostname", () => c.connectGetHostname());
    return { hostname, cpus: info.cpus, memoryMiB: Math.floor(info.memory / 1024) };
  }

  async list(): Promise<TDomainStatus[]> {
    const c = await this.open();
    const domains = await this.call("libvirt could not list domains", () => c.connectListAllDomains());
    const statuses: TDomainStatus[] = [];
    for (const domain of domains) {
      // A domain undefined between the listing and this read is simply gone.
      const status = await this.status(domain).catch(() => null);
      if (status !== null) statuses.push(status);
    }
    return statuses;
  }

  /** The named domain, or null. */
  async get(name: string): Promise<TDomainStatus | null> {
    const domain = await this.lookup(name);
    return domain === null ? null : this.status(domain);
  }

  /** The domain's XML as libvirt has it. */
  async xml(name: string): Promise<string> {
    const domain = await this.require(name, "describe");
    return this.call(`libvirt could not describe domain ${name}`, () => domain.getXMLDesc());
  }

  async define(xml: string): Promise<TDomainStatus> {
    return this.status(await this.defineHandle(xml));
  }

  /**
   * Defines the domain (named `name`, with UUID `uuid`, as `xml` says) and starts it on the handle
   * the definition returned: three libvirt calls for a create instead of eight (no lookup before,
   * none to start, no name and UUID read back). A domain that already runs (a retried create) is
   * fine; a paused one is resumed.
   */
  async defineAndStart(xml: string, identity: { name: string; uuid: string }): Promise<TDomainStatus> {
    const domain = await this.defineHandle(xml);
    const started = await this.tolerate(`libvirt could not start domain ${identity.name}`, () => domain.create().then(() => true), ALREADY_RUNNING);
    if (started) return { ...identity, state: "running" };
    const status = await this.status(domain);
    if (status.state !== "paused") return status;
    await this.call(`libvirt could not resume domain ${identity.name}`, () => domain.resume());
    return { ...status, state: "running" };
  }

  async start(name: string): Promise<void> {
    const domain = await this.require(name, "start");
    await this.tolerate(`libvirt could not start domain ${name}`, () => domain.create(), ALREADY_RUNNING);
  }

  async resume(name: string): Promise<void> {
    const domain = await this.require(name, "resume");
    await this.call(`libvirt could not resume domain ${name}`, () => domain.resume());
  }

  async shutdown(name: string): Promise<void> {
    const domain = await this.require(name, "shut down");
    await this.tolerate(`libvirt could not shut down domain ${name}`, () => domain.shutdown(), NOT_RUNNING);
  }

  async destroy(name: string): Promise<void> {
    const domain = await this.lookup(name);
    if (domain === null) return;
    await this.tolerate(`libvirt could not destroy domain ${name}`, () => domain.destroy(), NOT_RUNNING);
  }

  async undefine(name: string): Promise<boolean> {
    const domain = await this.lookup(name);
    if (domain === null) return false;
    await this.tolerate(`libvirt could not undefine domain ${name}`, () => domain.undefine(), DOMAIN_NOT_FOUND);
    return true;
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    await connection?.connectClose().catch(() => undefined);
  }

  private async defineHandle(xml: string): Promise<Domain> {
    const c = await this.open();
    return this.call("libvirt refused the domain definition", () => c.domainDefineXML(xml));
  }

  private async lookup(name: string): Promise<Domain | null> {
    const c = await this.open();
    return this.tolerate(`libvirt could not look up domain ${name}`, () => c.domainLookupByName(name), DOMAIN_NOT_FOUND);
  }

  private async require(name: string, verb: string): Promise<Domain> {
    const domain = await this.lookup(name);
    if (domain === null) throw libvirtFailure(`cannot ${verb} domain ${name}`, `Domain not found: no domain with matching name '${name}'`);
    return domain;
  }

  private async status(domain: Domain): Promise<TDomainStatus> {
    const name = await this.call("libvirt could not read a domain", () => domain.getName());
    const uuid = await this.call(`libvirt could not read domain ${name}`, () => domain.getUUIDString());
    const info = await this.call(`libvirt could not read domain ${name}`, () => domain.getInfo());
    return { name, uuid, state: toDomainState(info.state) };
  }

  /** Runs a binding call; failures become HypervisorErrors (transient ones also drop the connection). */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const failure = libvirtFailure(what, messageOf(error));
      if (failure.transient) await this.close();
      throw failure;
    }
  }

  /** Like call, but a libvirt message matching `tolerated` yields null instead of an error. */
  private async tolerate<T>(what: string, fn: () => Promise<T>, tolerated: RegExp): Promise<T | null> {
    try {
      return await fn();
    } catch (error) {
      if (tolerated.test(messageOf(error))) return null;
      return this.call(what, () => Promise.reject(error));
    }
  }
}
