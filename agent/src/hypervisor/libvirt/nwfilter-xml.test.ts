import { create } from "xmlbuilder2";
import { describe, expect, it } from "vitest";
import type { TFilterSpec } from "../hypervisor.ts";
import { buildFilterXml } from "./nwfilter-xml.ts";

const SPEC: TFilterSpec = {
  name: "carve-vm-0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1",
  uuid: "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1",
  ip: "10.0.0.12",
  rules: [
    { protocol: "tcp", portFrom: 22, portTo: 22, sourceCidr: "10.0.0.0/8" },
    { protocol: "tcp", portFrom: 8080, portTo: 8090, sourceCidr: "10.0.0.7/32" },
    { protocol: "icmp", portFrom: null, portTo: null, sourceCidr: "192.168.0.0/16" },
  ],
};

type TNode = { [key: string]: unknown };
/** Decodes attribute values as libxml2 would (xmlbuilder2's object output keeps the entities). */
const decode = (raw: unknown): string =>
  String(raw).replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&amp;", "&");
const parse = (xml: string): TNode => create(xml).end({ format: "object" }) as TNode;
const asArray = (value: unknown): TNode[] => (Array.isArray(value) ? (value as TNode[]) : value === undefined ? [] : [value as TNode]);

describe("buildFilterXml", () => {
  it("includes clean-traffic for the NIC's address, accepts each rule's ports from its source, all egress, and drops other ingress", () => {
    const filter = parse(buildFilterXml(SPEC))["filter"] as TNode;
    expect(filter["@name"]).toBe(SPEC.name);
    expect(filter["uuid"]).toBe(SPEC.uuid);
    expect(filter["filterref"]).toEqual({ "@filter": "clean-traffic", parameter: { "@name": "IP", "@value": "10.0.0.12" } });
    const rules = asArray(filter["rule"]);
    expect(rules.map((r) => `${String(r["@action"])} ${String(r["@direction"])}`)).toEqual(["accept in", "accept in", "accept in", "accept out", "drop in"]);
    expect(rules[1]?.["tcp"]).toEqual({ "@srcipaddr": "10.0.0.7", "@srcipmask": "32", "@dstportstart": "8080", "@dstportend": "8090" });
    expect(rules[2]?.["icmp"]).toEqual({ "@srcipaddr": "192.168.0.0", "@srcipmask": "16" });
    // The final drop comes after every accept.
    expect(Number(rules[4]?.["@priority"])).toBeGreaterThan(Number(rules[3]?.["@priority"]));
    expect(Number(rules[3]?.["@priority"])).toBeGreaterThan(Number(rules[0]?.["@priority"]));
  });

  it("lets libvirt learn the address when Carve allocated none", () => {
    const filter = parse(buildFilterXml({ ...SPEC, ip: null, rules: [] }))["filter"] as TNode;
    expect(filter["filterref"]).toEqual({ "@filter": "clean-traffic" });
    expect(asArray(filter["rule"])).toHaveLength(2);
  });

  it("keeps hostile values character data: no rule or attribute can be smuggled in", () => {
    const hostile = `carve"/><rule action="accept" direction="in"><all/></rule><x a="`;
    const xml = buildFilterXml({ ...SPEC, name: hostile, rules: [{ protocol: "tcp", portFrom: 1, portTo: 2, sourceCidr: `0.0.0.0"/><all a="/0` }] });
    const filter = parse(xml)["filter"] as TNode;
    expect(decode(filter["@name"])).toBe(hostile);
    const rules = asArray(filter["rule"]);
    // The one rule asked for, egress and the drop: nothing more.
    expect(rules).toHaveLength(3);
    expect(decode((rules[0]?.["tcp"] as TNode)["@srcipaddr"])).toBe(`0.0.0.0"`);
    expect(() => buildFilterXml({ ...SPEC, rules: [{ protocol: "tcp><all" as "tcp", portFrom: null, portTo: null, sourceCidr: "10.0.0.0/8" }] })).toThrow(/not an XML name/);
  });
});
