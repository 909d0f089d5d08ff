export * from "./codes.ts";
export * from "./carve-error.ts";
