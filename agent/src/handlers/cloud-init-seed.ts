import type { TJobPayloadParsed } from "@carve/protocol";
import type { THandlerContext } from "./context.ts";

/**
 * Builds the VM's NoCloud seed ISO when the create asks for one and returns its path (undefined
 * when it does not). Rebuilt on every attempt, so a retried create converges on the same seed.
 */
export async function ensureSeed(payload: TJobPayloadParsed<"vm.create">, ctx: THandlerContext): Promise<string | undefined> {
  const { cloudInit } = payload;
  if (cloudInit === undefined) return undefined;
  const password = cloudInit.password === undefined ? null : ctx.openSecret(cloudInit.password);
  return ctx.seeds.build(payload.vmId, cloudInit, password, payload.nics);
}
