import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { JobRefusedError } from "../jobs/job-errors.ts";
import type { TJobHandler } from "./context.ts";

/**
 * template.copy: checks the template's image against its sha256, then imports it into a pool as a
 * volume, reporting progress. A volume of the right capacity already there is the copy (a retried
 * job converges), so nothing is copied twice.
 */
export const templateCopy: TJobHandler<"template.copy"> = async (payload, ctx) => {
  const { templateId, pool, volume, source } = payload;
  await ctx.reportProgress({ percent: 0, step: "checking the image" });
  const actual = await sha256Of(source.path);
  if (actual !== payload.sha256) {
    throw new JobRefusedError(
      `the template image ${source.path} has sha256 ${actual}, not ${payload.sha256} as downloaded: the stored copy is damaged; delete the template and register it again`,
    );
  }
  const { path, alreadyPresent } = await ctx.hypervisor.importVolume(
    { pool, name: volume, format: payload.format, sizeBytes: payload.sizeBytes, capacityBytes: payload.capacityBytes, sourcePath: source.path },
    (percent, step) => ctx.reportProgress({ percent, step }),
  );
  await ctx.reportProgress({ percent: 100, step: alreadyPresent ? "the copy was already there" : "copied" });
  return { templateId, pool, volume, path, alreadyPresent };
};

/** The file's sha256, streamed; an unreadable file is a refusal naming the template store. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    await pipeline(createReadStream(path), hash);
  } catch (error) {
    throw new JobRefusedError(
      `the template image ${path} is not readable on this host (${error instanceof Error ? error.message : String(error)}); agents read images from the controller's template store (CARVE_TEMPLATE_STORE), which must be on a filesystem this host shares`,
    );
  }
  return hash.digest("hex");
}
