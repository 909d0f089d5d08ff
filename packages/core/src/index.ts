export * from "./errors/index.ts";
export type { CoreDeps } from "./context.ts";
export { createCore, type TCore } from "./create-core.ts";
export { createProcessLogger } from "./logging/process-logger.ts";
// The /metrics endpoint and its token setting: protocol's, shared with the agent.
export { requireMetricsToken, serveMetrics, ZMetricsTokenSetting } from "@carve/protocol";
// The "log level changed" rule: protocol's, shared with the agent (issue 19).
export { switchLogLevel } from "@carve/protocol";
export * from "./identity/actor.ts";
export { operatorActor } from "./identity/operator-actor.ts";
export { whoAmI } from "./identity/who-am-i.ts";
export { DEFAULT_IDENTITY_OPTIONS, withIdentity, type TIdentityDeps, type TIdentityOverrides } from "./identity/identity-options.ts";
export { authenticate, ZCredentials } from "./identity/authenticate.ts";
export { authenticateApiKey } from "./identity/authenticate-api-key.ts";
export { validateSession } from "./identity/validate-session.ts";
export { startSession } from "./identity/start-session.ts";
export { endSession } from "./identity/end-session.ts";
export { pruneSignInRecords } from "./identity/prune-sessions.ts";
export { SESSION_TTL_MS } from "./identity/session-token.ts";
export { actorForSlackUser } from "./identity/actor-for-slack-user.ts";
export { ensureSetupToken, awaitsFirstAdmin } from "./identity/setup-token.ts";
export { setupFirstAdmin } from "./identity/setup-first-admin.ts";
export type { TDirectoryView } from "./identity/directory/get-directory-view.ts";
export type { TSyncReport } from "./identity/directory/sync-directory.ts";
export { ZUnlockSignInInput, type TUnlockResult } from "./identity/unlock-sign-in.ts";
export { ZDirectoryConfig } from "./identity/directory/directory-config.ts";
export type { THeartbeat } from "./jobs/job-queues.ts";
export { finaliseJob, type TJobOutcome } from "./jobs/finalise-job.ts";
export { recordJobProgress } from "./jobs/record-progress.ts";
export { settleJob, sweepJobs } from "./jobs/sweep-jobs.ts";
export { isFinished } from "./jobs/get-job.ts";
export { pollJob } from "./jobs/wait-for-job.ts";
export { ZListJobsInput, type TJobView } from "./jobs/list-jobs.ts";
export { ZCreateVmInput, type TCreateVmInput } from "./vms/create-vm.ts";
export { ZResetVmPasswordInput } from "./vms/reset-vm-password.ts";
export { pruneExpiredPasswordReveals } from "./vms/password-reveals.ts";
export { ZAddSshKeyInput } from "./ssh-keys/add-ssh-key.ts";
export type { TSshKeyView } from "./ssh-keys/ssh-key-view.ts";
export type { TVmPlan } from "./vms/plan-vm.ts";
export type { TQuotaView } from "./quotas/get-quota.ts";
export type { TQuotaRow } from "./quotas/list-quotas.ts";
export { readPlacementSettings, type TPlacementSettings } from "./settings/placement-settings.ts";
export { readStorageSettings, type TStorageSettings } from "./settings/storage-settings.ts";
export { ZMigrateVolumeInput } from "./volumes/migrate-volume.ts";
export { LOG_LEVELS, readLogLevels, type TLogLevels } from "./settings/log-level-settings.ts";
export { applyLogLevels } from "./settings/apply-log-levels.ts";
export { readHostLoad } from "./hosts/read-host-load.ts";
export type { TCoreHooks } from "./hooks.ts";
export { ZListVmsInput } from "./vms/list-vms.ts";
export type { TVmAddress, TVmView } from "./vms/vm-view.ts";
export { VM_ACTIONS, TRANSITIONAL_STATES } from "./vms/vm-state-machine.ts";
export { resolveHost } from "./hosts/resolve-host.ts";
export { listLiveHostIds } from "./hosts/list-live-host-ids.ts";
export { refreshHostStates } from "./hosts/refresh-host-states.ts";
export { recordPoolReports } from "./pools/record-pool-reports.ts";
export { ZRegisterTemplateInput } from "./templates/register-template.ts";
export { startTemplateFetcher } from "./templates/template-fetcher.ts";
export { readTemplateSettings, type TTemplateSettings } from "./settings/template-settings.ts";
export { placeVm } from "./placement/place-vm.ts";
export { placementRequest } from "./placement/placement-request.ts";
export { reserveBestFit } from "./placement/reserve-best-fit.ts";
export type { TStatus } from "./system/get-status.ts";
export { DEFAULT_HOST_GRACE_MS, MIN_HOST_GRACE_MS, DEFAULT_RECONCILE_MS, DEFAULT_JOB_STUCK_MS } from "./hosts/host-liveness.ts";
export { markHostVmsUnknown } from "./hosts/mark-host-vms-unknown.ts";
export { watchJobs } from "./jobs/watch-jobs.ts";
export { reconcileHosts } from "./reconcile/reconcile-hosts.ts";
export type { TDriftView } from "./reconcile/list-drift.ts";
export { ZAddHostInput } from "./hosts/add-host.ts";
export { ZIssueJoinTokenInput } from "./hosts/join-token.ts";
export { ZSecretKeySetting } from "./identity/secret-key-setting.ts";
export type { TJoinToken } from "./hosts/join-token.ts";
export { joinHost } from "./hosts/join-host.ts";
export { joinCommand } from "./hosts/join-command.ts";
export { startHostJoinService } from "./hosts/host-join-service.ts";
export { CONTROL_REDIS_USER, redisAclFile, redisUrlWith } from "./hosts/redis-acl-file.ts";
export { localRedisFile, readLocalRedis, type TLocalRedisFile } from "./settings/local-redis.ts";
export { linkSlackUser } from "./identity/link-slack-user.ts";
export { admitSignedRequest, type TSignedRequest } from "./requests/admit-signed-request.ts";
export { claimSlackNotifications, type TSlackNotification } from "./events/claim-slack-notifications.ts";
export { ZDatabaseUrlSetting, ZRedisUrlSetting, ZQueuePrefixSetting, ZLogLevelSetting } from "./settings/process-settings.ts";
export { parseInput } from "./validation/parse-input.ts";
export type { TAggregateReport } from "./usage/aggregate-usage.ts";
export { meterUsage } from "./usage/meter-usage.ts";
export { ZUsageReportInput, type TUsageReport, type TUsageReportRow } from "./usage/usage-report.ts";
export { ZUsageHistoryInput, type TUsageHistory } from "./usage/usage-history.ts";
export { ZListVmEventsInput, type TVmEventPage } from "./events/list-vm-events.ts";
// Every use-case a front door calls, audited (see audit/audited.ts).
export * from "./audit/audited-use-cases.ts";
export { advanceHostMaintenance } from "./hosts/maintenance/advance-host-maintenance.ts";
export type { TMaintenancePlan } from "./hosts/maintenance/plan-host-maintenance.ts";
export type { TCancelMaintenanceResult } from "./hosts/maintenance/cancel-host-maintenance.ts";
export { ZMigrateVmInput } from "./vms/move/migrate-vm.ts";
export { readMigrationSettings, type TMigrationSettings } from "./settings/migration-settings.ts";
export { ZSearchAuditInput, type TAuditView } from "./audit/search-audit.ts";
export { ZCreateNetworkInput } from "./networks/create-network.ts";
export { ZUpdateNetworkInput } from "./networks/update-network.ts";
export type { TNetworkDetail } from "./networks/get-network.ts";
export type { TNetworkView } from "./networks/network-view.ts";
// networks: agent side (issue 17)
export { ZDefineNetworkInput } from "./networks/define-network.ts";
export { ZDefinePoolInput } from "./pools/define-pool.ts";
export { ZCreateDiskOfferingInput, describeDiskSize } from "./offerings/create-disk-offering.ts";
export { ZCreateVolumeInput } from "./volumes/create-volume.ts";
export { ZAttachVolumeInput } from "./volumes/attach-volume.ts";
export { ZResizeVolumeInput } from "./volumes/resize-volume.ts";
export { ZListVolumesInput, type TVolumeView } from "./volumes/list-volumes.ts";
export { checkRequestParams } from "./validation/check-request-params.ts";

// The REST API's admin offering routes validate their bodies with core's own schema.
export { ZCreateOfferingInput } from "./offerings/create-offering.ts";

// The REST API's quota route validates its body with core's own schema.
export { ZSetQuotaInput } from "./quotas/set-quota.ts";

// vm migrate|migrate-cancel|plan|stop, settings …: the REST routes' bodies, validated by core's own schemas.
export { ZStopVmInput } from "./vms/stop-vm.ts";
export { ZSetPlacementSettingsInput } from "./settings/set-placement-settings.ts";
export { ZSetTemplateSettingsInput } from "./settings/set-template-settings.ts";
export { ZSetMigrationSettingsInput } from "./settings/set-migration-settings.ts";
export { ZSetStorageSettingsInput } from "./settings/set-storage-settings.ts";
export { ZSetLogLevelInput } from "./settings/set-log-level.ts";
// apikey create (REST)
export { ZCreateApiKeyInput } from "./identity/create-api-key.ts";
// pool add and template add|copy: their inputs, for the REST API's document
export { ZAddPoolInput } from "./pools/add-pool.ts";
export { ZAddTemplateInput } from "./templates/add-template.ts";
export { ZEnsureTemplateCopyInput } from "./templates/ensure-template-copy.ts";

// directory set, group map, user create, usage aggregate: their REST bodies (the API document).
export { ZConfigureDirectoryInput } from "./identity/directory/configure-directory.ts";
export { ZMapGroupInput } from "./identity/map-group.ts";
export { ZCreateLocalUserInput } from "./identity/create-local-user.ts";
export { ZResetPasswordInput } from "./identity/reset-password.ts";
export { ZUsageRange } from "./usage/usage-range.ts";
export type { TOrphanVm } from "./identity/disable-account.ts";

// security groups (issue 17): the use-cases are in audited-use-cases.ts; these are the REST routes' schemas and the views.
export { ZCreateSecurityGroupInput } from "./security-groups/create-security-group.ts";
export { ZAddSecurityGroupRuleInput } from "./security-groups/add-security-group-rule.ts";
export { ZSetVmSecurityGroupsInput, type TVmSecurityGroups } from "./security-groups/set-vm-security-groups.ts";
export { ZOpenVmPortInput, describeOpenedPort, type TOpenedPort } from "./security-groups/open-vm-port.ts";
export { describeRule } from "./security-groups/security-group-view.ts";
export type { TSecurityGroupView, TSecurityRuleView } from "./security-groups/security-group-view.ts";
export { ZSetNetworkSettingsInput } from "./settings/set-network-settings.ts";
export type { TNetworkSettings } from "./settings/network-settings.ts";
// the connect line: template update, the way into a VM (issue 17)
export { ZUpdateTemplateInput } from "./templates/update-template.ts";
export type { TVmConnect } from "./vms/connect-line.ts";
// console (issue 18): openConsole is in audited-use-cases.ts; the proxy redeems and polls.
export { ZOpenConsoleInput } from "./console/open-console.ts";
export { redeemConsoleToken, type TRedeemedConsole } from "./console/redeem-console-token.ts";
export { checkConsoleSession, watchConsoleSession } from "./console/check-console-session.ts";
export { DEFAULT_CONSOLE_PROXY_PORT } from "./console/console-access.ts";
// console proxy (issue 18): what the portal and the console proxy share about a browser's request.
export { clientAddress, parseTrustedProxies, requestId, ZTrustedProxiesSetting, type TTrustedProxies } from "./requests/client-address.ts";
export { sessionCookieClaims, sessionCookieName, ZSessionCookieClaims, type TSessionCookieClaims } from "./identity/session-cookie.ts";
// console byte path (issue 18): the proxy and the CLI's --serial call attachConsole; readSerialLog is audited in audited-use-cases.ts.
export { attachConsole } from "./console/attach-console.ts";
export { ZReadSerialLogInput } from "./console/read-serial-log.ts";
// day-2 (issue 19): declareHostDead, setFencingSettings and recreateVm are in audited-use-cases.ts; these are the front doors' schemas and types.
export { ZDeclareHostDeadInput } from "./hosts/declare-host-dead.ts";
export type { TDeadHostVm } from "./hosts/dead-host-vms.ts";
export type { TFencingSettings } from "./settings/fencing-settings.ts";
export { ZSetFencingSettingsInput } from "./settings/set-fencing-settings.ts";
