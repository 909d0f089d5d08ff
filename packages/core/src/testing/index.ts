export * from "./fake-job-queues.ts";
export * from "./test-core.ts";
export * from "./refusal.ts";
