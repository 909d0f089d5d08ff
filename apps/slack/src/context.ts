import type { TIdentityDeps } from "@carve/core";
import type { webApi } from "@slack/bolt";
import type { Logger } from "pino";

/** What every listener needs: core, the Slack Web API client, a logger, and how jobs are followed. */
export interface TSlackDeps {
  /** Core with identity's options (CARVE_SECRET_KEY keeps generated passwords sealed until shown). */
  core: TIdentityDeps;
  log: Logger;
  /** How often a followed job's row is read. */
  jobPollMs: number;
  /** How long a progress message follows a job before saying it goes on in the background. */
  jobTimeoutMs: number;
  /** The portal's public address (CARVE_PORTAL_URL), for console links; none: no links. */
  portalUrl?: string | undefined;
}

export interface TSlackCtx extends TSlackDeps {
  client: webApi.WebClient;
}

/** One `/vm` invocation as Slack sent it. */
export interface TVmCommand {
  slackUserId: string;
  channel: string;
  teamId: string;
  triggerId: string;
  text: string;
}
