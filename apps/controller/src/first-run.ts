import { ensureSetupToken, type TIdentityDeps } from "@carve/core";
import type { Logger } from "pino";

/**
 * On start: while no administrator can sign in, makes sure a one-time setup token exists and,
 * when this process made it, prints it once on stderr (not through the logger, so it is not
 * shipped with the logs). A failure here is logged and does not stop the controller.
 */
export async function announceSetupToken(deps: TIdentityDeps, log: Logger): Promise<void> {
  try {
    const setup = await ensureSetupToken(deps);
    if (setup.status === "created") {
      process.stderr.write(
        [
          "",
          "  Carve has no administrator yet. Create one with this one-time token (valid until " + setup.expiresAt.toISOString() + "):",
          "",
          `    carve admin setup --token ${setup.token} --username NAME --password-stdin`,
          "",
          "  It is shown only now. Lost it? 'carve admin setup-token' prints a new one.",
          "",
        ].join("\n") + "\n",
      );
    } else if (setup.status === "pending") {
      log.warn({ expiresAt: setup.expiresAt }, "no administrator yet; a setup token was printed earlier ('carve admin setup-token' prints a new one)");
    }
  } catch (err) {
    log.error({ err }, "could not check for a first administrator");
  }
}
