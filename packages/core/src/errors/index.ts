export * from "./codes.ts";
export * from "./carve-error.ts";
export * from "./front-door-ways.ts";
