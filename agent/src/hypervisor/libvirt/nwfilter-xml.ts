import type { TIngressRule, TFilterSpec } from "../hypervisor.ts";
import { xmlElement, type XmlElement } from "./xml-element.ts";

// Rule priorities (lower runs first): the ingress rules, then all egress, then the final drop.
const PRIORITY_RULE = 100;
const PRIORITY_EGRESS = 500;
const PRIORITY_DROP = 1000;

/**
 * A VM's nwfilter XML, built with the XML builder (every value escaped). Its UUID is fixed (the
 * VM's id), so defining it again replaces it. The filter:
 * - includes libvirt's `clean-traffic` (no MAC, IP or ARP spoofing), given the NIC's address as
 *   its IP parameter when Carve allocated one (otherwise libvirt learns it from the guest);
 * - accepts each ingress rule (`direction='in'`: traffic to the guest) from its source network;
 *   libvirt's iptables rules match connection state, so an accepted rule also lets the replies out;
 * - accepts all egress (`direction='out'`), whose replies come back as ESTABLISHED;
 * - drops every other ingress.
 * clean-traffic's own `allow-incoming-ipv4` is an ebtables (layer 2) rule: the IP-level rules
 * here still decide which IPv4 traffic reaches the guest.
 */
export function buildFilterXml(spec: TFilterSpec): string {
  const filter = xmlElement("filter", { name: spec.name, chain: "root" });
  filter.ele("uuid").txt(spec.uuid);
  const clean = filter.ele("filterref", { filter: "clean-traffic" });
  if (spec.ip !== null) clean.ele("parameter", { name: "IP", value: spec.ip });
  for (const rule of spec.rules) addIngressRule(filter, rule);
  filter.ele("rule", { action: "accept", direction: "out", priority: PRIORITY_EGRESS }).ele("all");
  filter.ele("rule", { action: "drop", direction: "in", priority: PRIORITY_DROP }).ele("all");
  return filter.render();
}

function addIngressRule(filter: XmlElement, rule: TIngressRule): void {
  const [address, mask] = rule.sourceCidr.split("/");
  const ports = (rule.protocol === "tcp" || rule.protocol === "udp") && rule.portFrom !== null
    ? { dstportstart: rule.portFrom, dstportend: rule.portTo ?? rule.portFrom }
    : {};
  filter.ele("rule", { action: "accept", direction: "in", priority: PRIORITY_RULE }).ele(rule.protocol, { srcipaddr: address, srcipmask: mask, ...ports });
}
