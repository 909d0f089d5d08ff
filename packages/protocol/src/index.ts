export * from "./version.ts";
export * from "./queues.ts";
export * from "./jobs.ts";
export * from "./names.ts";
export * from "./heartbeat.ts";
export * from "./join.ts";
export * from "./join-seal.ts";
export * from "./log-safety.ts";
