export * from "./node-xml.ts";
export * from "./agent-harness.ts";
export * from "./fake-hypervisor.ts";
