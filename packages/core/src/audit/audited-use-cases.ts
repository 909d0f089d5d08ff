/**
 * Core's use-cases as every front door sees them: each one audited (see `audited`). index.ts
 * exports these instead of the raw functions, so the CLI, Slack, the portal and the API record
 * every call without doing anything themselves; core's own internal calls go to the raw functions
 * and are covered by the outer call.
 *
 * Reads (list, get, show, plan) are recorded too: "who looked at what" is part of the trail. Reads a
 * page polls use `auditedRead`: refusals always, a successful read once per actor, origin and target
 * per window, so a VM list open all day is a few rows, not one per poll (waitForJob is one call
 * however long it polls). Sensitive reads (a password reveal) are recorded every time.
 * Targets name identifier fields only (a name, an id); inputs are never recorded.
 */
import type { Job } from "@carve/db";
// security groups (issue 17)
import { addSecurityGroupRule as addSecurityGroupRuleRaw } from "../security-groups/add-security-group-rule.ts";
import { createSecurityGroup as createSecurityGroupRaw } from "../security-groups/create-security-group.ts";
import { deleteSecurityGroup as deleteSecurityGroupRaw } from "../security-groups/delete-security-group.ts";
import { getSecurityGroup as getSecurityGroupRaw } from "../security-groups/get-security-group.ts";
import { listSecurityGroups as listSecurityGroupsRaw } from "../security-groups/list-security-groups.ts";
import { openVmPort as openVmPortRaw } from "../security-groups/open-vm-port.ts";
import { reapplyFilters as reapplyFiltersRaw } from "../security-groups/reapply-filters.ts";
import { removeSecurityGroupRule as removeSecurityGroupRuleRaw } from "../security-groups/remove-security-group-rule.ts";
import { getVmSecurityGroups as getVmSecurityGroupsRaw, setVmSecurityGroups as setVmSecurityGroupsRaw } from "../security-groups/set-vm-security-groups.ts";
import { setNetworkSettings as setNetworkSettingsRaw } from "../settings/set-network-settings.ts";
import { getDirectoryView as getDirectoryViewRaw } from "../identity/directory/get-directory-view.ts";
import { checkDirectory as checkDirectoryRaw } from "../identity/directory/check-directory.ts";
import { configureDirectory as configureDirectoryRaw } from "../identity/directory/configure-directory.ts";
import { createApiKey as createApiKeyRaw } from "../identity/create-api-key.ts";
import { createLocalUser as createLocalUserRaw } from "../identity/create-local-user.ts";
import { endUserSessions as endUserSessionsRaw } from "../identity/end-user-sessions.ts";
import { listApiKeys as listApiKeysRaw } from "../identity/list-api-keys.ts";
import { listGroups as listGroupsRaw } from "../identity/list-groups.ts";
import { listUsers as listUsersRaw } from "../identity/list-users.ts";
import { mapGroup as mapGroupRaw } from "../identity/map-group.ts";
import { resetPassword as resetPasswordRaw } from "../identity/reset-password.ts";
import { revokeApiKey as revokeApiKeyRaw } from "../identity/revoke-api-key.ts";
import { setUserEnabled as setUserEnabledRaw } from "../identity/set-user-enabled.ts";
import { issueSetupToken as issueSetupTokenRaw } from "../identity/setup-token.ts";
import { syncDirectory as syncDirectoryRaw } from "../identity/directory/sync-directory.ts";
import { unlockSignIn as unlockSignInRaw } from "../identity/unlock-sign-in.ts";
import { addHost as addHostRaw } from "../hosts/add-host.ts";
import { inspectHost as inspectHostRaw } from "../hosts/inspect-host.ts";
import { issueJoinToken as issueJoinTokenRaw } from "../hosts/join-token.ts";
import { listHosts as listHostsRaw } from "../hosts/list-hosts.ts";
import { removeHost as removeHostRaw } from "../hosts/remove-host.ts";
import { getJob as getJobRaw } from "../jobs/get-job.ts";
import { listJobs as listJobsRaw } from "../jobs/list-jobs.ts";
import { waitForJob as waitForJobRaw } from "../jobs/wait-for-job.ts";
import { createOffering as createOfferingRaw } from "../offerings/create-offering.ts";
import { deleteOffering as deleteOfferingRaw } from "../offerings/delete-offering.ts";
import { listOfferings as listOfferingsRaw } from "../offerings/list-offerings.ts";
import { createNetwork as createNetworkRaw } from "../networks/create-network.ts";
import { deleteNetwork as deleteNetworkRaw } from "../networks/delete-network.ts";
import { getNetwork as getNetworkRaw } from "../networks/get-network.ts";
import { listNetworks as listNetworksRaw } from "../networks/list-networks.ts";
import { updateNetwork as updateNetworkRaw } from "../networks/update-network.ts";
// networks (issue 17)
import { defineNetwork as defineNetworkRaw } from "../networks/define-network.ts";
import { addPool as addPoolRaw } from "../pools/add-pool.ts";
import { deletePool as deletePoolRaw } from "../pools/delete-pool.ts";
import { listPools as listPoolsRaw } from "../pools/list-pools.ts";
import { getQuota as getQuotaRaw } from "../quotas/get-quota.ts";
import { listQuotas as listQuotasRaw } from "../quotas/list-quotas.ts";
import { setQuota as setQuotaRaw } from "../quotas/set-quota.ts";
import { destroyDrift as destroyDriftRaw } from "../reconcile/destroy-drift.ts";
import { ignoreDrift as ignoreDriftRaw } from "../reconcile/ignore-drift.ts";
import { listDrift as listDriftRaw } from "../reconcile/list-drift.ts";
import { setLogLevel as setLogLevelRaw } from "../settings/set-log-level.ts";
import { setPlacementSettings as setPlacementSettingsRaw } from "../settings/set-placement-settings.ts";
import { setTemplateSettings as setTemplateSettingsRaw } from "../settings/set-template-settings.ts";
import { addSshKey as addSshKeyRaw } from "../ssh-keys/add-ssh-key.ts";
import { listSshKeys as listSshKeysRaw } from "../ssh-keys/list-ssh-keys.ts";
import { removeSshKey as removeSshKeyRaw } from "../ssh-keys/remove-ssh-key.ts";
import { getStatus as getStatusRaw } from "../system/get-status.ts";
import { addTemplate as addTemplateRaw } from "../templates/add-template.ts";
import { deleteTemplate as deleteTemplateRaw } from "../templates/delete-template.ts";
import { ensureTemplateCopy as ensureTemplateCopyRaw } from "../templates/ensure-template-copy.ts";
import { listTemplates as listTemplatesRaw } from "../templates/list-templates.ts";
import { registerTemplate as registerTemplateRaw } from "../templates/register-template.ts";
// template update, the connect line's login user (issue 17)
import { updateTemplate as updateTemplateRaw } from "../templates/update-template.ts";
import { aggregateUsage as aggregateUsageRaw } from "../usage/aggregate-usage.ts";
import { usageHistory as usageHistoryRaw } from "../usage/usage-history.ts";
import { usageReport as usageReportRaw } from "../usage/usage-report.ts";
import { listVmEvents as listVmEventsRaw } from "../events/list-vm-events.ts";
import { createVm as createVmRaw } from "../vms/create-vm.ts";
import { createVmOnce as createVmOnceRaw } from "../vms/create-vm-once.ts";
import { destroyVm as destroyVmRaw } from "../vms/destroy-vm.ts";
import { getVm as getVmRaw } from "../vms/get-vm.ts";
import { listVms as listVmsRaw } from "../vms/list-vms.ts";
import { planVm as planVmRaw } from "../vms/plan-vm.ts";
import { rebootVm as rebootVmRaw } from "../vms/reboot-vm.ts";
import { resetVmPassword as resetVmPasswordRaw } from "../vms/reset-vm-password.ts";
import { revealVmPassword as revealVmPasswordRaw } from "../vms/reveal-vm-password.ts";
import { startVm as startVmRaw } from "../vms/start-vm.ts";
import { stopVm as stopVmRaw } from "../vms/stop-vm.ts";
import { migrateVolume as migrateVolumeRaw } from "../volumes/migrate-volume.ts";
import { cancelVolumeMigration as cancelVolumeMigrationRaw } from "../volumes/cancel-volume-migration.ts";
import { setStorageSettings as setStorageSettingsRaw } from "../settings/set-storage-settings.ts";
import { migrateVm as migrateVmRaw } from "../vms/move/migrate-vm.ts";
import { cancelVmMigration as cancelVmMigrationRaw } from "../vms/move/cancel-vm-migration.ts";
import { planHostMaintenance as planHostMaintenanceRaw } from "../hosts/maintenance/plan-host-maintenance.ts";
import { prepareHostMaintenance as prepareHostMaintenanceRaw } from "../hosts/maintenance/prepare-host-maintenance.ts";
import { cancelHostMaintenance as cancelHostMaintenanceRaw } from "../hosts/maintenance/cancel-host-maintenance.ts";
import { getHostInventory as getHostInventoryRaw } from "../hosts/get-host-inventory.ts";
import { setMigrationSettings as setMigrationSettingsRaw } from "../settings/set-migration-settings.ts";
import { audited, auditedRead } from "./audited.ts";
// console (issue 18)
import { openConsole as openConsoleRaw } from "../console/open-console.ts";
import { readSerialLog as readSerialLogRaw } from "../console/read-serial-log.ts";
import { searchAudit as searchAuditRaw } from "./search-audit.ts";
import { definePool as definePoolRaw } from "../pools/define-pool.ts";
import { createDiskOffering as createDiskOfferingRaw } from "../offerings/create-disk-offering.ts";
import { listDiskOfferings as listDiskOfferingsRaw } from "../offerings/list-disk-offerings.ts";
import { deleteDiskOffering as deleteDiskOfferingRaw } from "../offerings/delete-disk-offering.ts";
import { createVolume as createVolumeRaw } from "../volumes/create-volume.ts";
import { attachVolume as attachVolumeRaw } from "../volumes/attach-volume.ts";
import { detachVolume as detachVolumeRaw } from "../volumes/detach-volume.ts";
import { resizeVolume as resizeVolumeRaw } from "../volumes/resize-volume.ts";
import { deleteVolume as deleteVolumeRaw } from "../volumes/delete-volume.ts";
import { listVolumes as listVolumesRaw } from "../volumes/list-volumes.ts";

const vmJob = { type: "vm", field: "vm", id: (job: Job) => job.vmId };
const noId = () => null;

// VMs
export const createVm = audited("vm.create", createVmRaw, { type: "vm", field: "name", id: (r) => r.vm.id });
export const createVmOnce = audited("vm.create", createVmOnceRaw, { type: "vm", field: "name", id: (r) => (r.duplicate ? r.vmId : r.vm.id) });
export const startVm = audited("vm.start", startVmRaw, vmJob);
export const stopVm = audited("vm.stop", stopVmRaw, vmJob);
export const rebootVm = audited("vm.reboot", rebootVmRaw, vmJob);
export const destroyVm = audited("vm.destroy", destroyVmRaw, vmJob);
export const getVm = auditedRead("vm.get", getVmRaw, { type: "vm", field: "vm" });
export const listVms = auditedRead("vm.list", listVmsRaw);
export const planVm = auditedRead("vm.plan", planVmRaw, { type: "vm", field: "name", id: noId });
export const resetVmPassword = audited("vm.reset-password", resetVmPasswordRaw, { type: "vm", field: "vm", id: (r) => r.job.vmId });
export const listVmEvents = auditedRead("vm.events", listVmEventsRaw, { type: "vm", field: "vm", id: noId });
export const revealVmPassword = audited("vm.reveal-password", revealVmPasswordRaw, { type: "vm", field: "vm", id: (r) => r.vmId });
export const migrateVm = audited("vm.migrate", migrateVmRaw, vmJob);
export const cancelVmMigration = audited("vm.migrate-cancel", cancelVmMigrationRaw, vmJob);

// Jobs
export const getJob = auditedRead("job.get", getJobRaw, { type: "job" });
export const listJobs = auditedRead("job.list", listJobsRaw);
export const waitForJob = audited("job.wait", waitForJobRaw, { type: "job" });

// SSH keys
export const addSshKey = audited("sshkey.add", addSshKeyRaw, { type: "ssh-key", field: "name" });
export const listSshKeys = auditedRead("sshkey.list", listSshKeysRaw);
export const removeSshKey = audited("sshkey.remove", removeSshKeyRaw, { type: "ssh-key", field: "key" });

// Identity
export const createLocalUser = audited("user.create", createLocalUserRaw, { type: "user", field: "username" });
export const setUserEnabled = audited("user.set-enabled", setUserEnabledRaw, { type: "user", field: "user", id: noId });
export const resetPassword = audited("user.reset-password", resetPasswordRaw, { type: "user", field: "user", id: noId });
export const endUserSessions = audited("user.sign-out", endUserSessionsRaw, { type: "user", field: "user", id: noId });
export const unlockSignIn = audited("auth.unlock", unlockSignInRaw, { type: "sign-in", field: "target", id: noId });
export const listUsers = auditedRead("user.list", listUsersRaw);
export const createApiKey = audited("apikey.create", createApiKeyRaw, { type: "api-key", field: "name" });
export const listApiKeys = auditedRead("apikey.list", listApiKeysRaw);
export const revokeApiKey = audited("apikey.revoke", revokeApiKeyRaw, { type: "api-key", field: null });
export const configureDirectory = audited("directory.configure", configureDirectoryRaw, { type: "directory", id: noId });
export const getDirectoryView = audited("directory.show", getDirectoryViewRaw);
export const checkDirectory = audited("directory.check", checkDirectoryRaw);
export const syncDirectory = audited("directory.sync", syncDirectoryRaw);
export const mapGroup = audited("group.map", mapGroupRaw, { type: "group", field: "group" });
export const listGroups = auditedRead("group.list", listGroupsRaw);
export const issueSetupToken = audited("auth.setup-token", issueSetupTokenRaw);

// Quotas and settings
export const setQuota = audited("quota.set", setQuotaRaw, { type: "quota", field: ["user", "group"] });
export const getQuota = auditedRead("quota.get", getQuotaRaw, { type: "user", id: noId });
export const listQuotas = auditedRead("quota.list", listQuotasRaw);
export const setPlacementSettings = audited("settings.placement", setPlacementSettingsRaw);
export const setTemplateSettings = audited("settings.templates", setTemplateSettingsRaw);
export const setLogLevel = audited("settings.log-level", setLogLevelRaw);
export const setStorageSettings = audited("settings.storage", setStorageSettingsRaw);
export const setMigrationSettings = audited("settings.migration", setMigrationSettingsRaw);

// Storage migration
export const migrateVolume = audited("volume.migrate", migrateVolumeRaw, { type: "volume", field: "volume", id: (r) => r.volume.id });
export const cancelVolumeMigration = audited("volume.migrate-cancel", cancelVolumeMigrationRaw, { type: "volume", field: "volume", id: noId });

// Infrastructure
export const addHost = audited("host.add", addHostRaw, { type: "host", field: "name" });
export const listHosts = auditedRead("host.list", listHostsRaw);
export const inspectHost = audited("host.inspect", inspectHostRaw, { type: "host", id: (job) => job.hostId });
export const issueJoinToken = audited("host.join-token", issueJoinTokenRaw, { type: "host", field: "host", id: (r) => r.hostId });
export const removeHost = audited("host.remove", removeHostRaw, { type: "host", field: "host" });
export const planHostMaintenance = auditedRead("host.maintenance-plan", planHostMaintenanceRaw, { type: "host", field: "host", id: (r) => r.host.id });
export const prepareHostMaintenance = audited("host.maintenance-start", prepareHostMaintenanceRaw, { type: "host", field: "host", id: (r) => r.plan.host.id });
export const cancelHostMaintenance = audited("host.maintenance-cancel", cancelHostMaintenanceRaw, { type: "host", field: "host", id: (r) => r.host.id });
export const addPool = audited("pool.add", addPoolRaw, { type: "pool", field: "name" });
export const listPools = auditedRead("pool.list", listPoolsRaw);
export const deletePool = audited("pool.delete", deletePoolRaw, { type: "pool", field: "pool" });
export const createNetwork = audited("network.create", createNetworkRaw, { type: "network", field: "name" });
export const listNetworks = auditedRead("network.list", listNetworksRaw);
export const getNetwork = auditedRead("network.get", getNetworkRaw, { type: "network", field: "network" });
export const updateNetwork = audited("network.update", updateNetworkRaw, { type: "network", field: "network" });
export const deleteNetwork = audited("network.delete", deleteNetworkRaw, { type: "network", field: "network" });
// networks (issue 17)
export const defineNetwork = audited("network.define", defineNetworkRaw, { type: "network", field: "network", id: (r) => r.network.id });
export const createOffering = audited("offering.create", createOfferingRaw, { type: "offering", field: "name" });
export const listOfferings = auditedRead("offering.list", listOfferingsRaw);
export const deleteOffering = audited("offering.delete", deleteOfferingRaw, { type: "offering", field: "offering" });
export const registerTemplate = audited("template.register", registerTemplateRaw, { type: "template", field: "name" });
export const addTemplate = audited("template.add", addTemplateRaw, { type: "template", field: "name" });
export const listTemplates = auditedRead("template.list", listTemplatesRaw);
export const deleteTemplate = audited("template.delete", deleteTemplateRaw, { type: "template", field: "template" });
// template update, the connect line's login user (issue 17)
export const updateTemplate = audited("template.update", updateTemplateRaw, { type: "template", field: "template" });
export const ensureTemplateCopy = audited("template.copy", ensureTemplateCopyRaw, { type: "template", field: "template", id: (r) => r.copy.templateId });
export const listDrift = auditedRead("drift.list", listDriftRaw);
export const destroyDrift = audited("drift.destroy", destroyDriftRaw, { type: "drift", id: noId });
export const ignoreDrift = audited("drift.ignore", ignoreDriftRaw, { type: "drift" });
export const getStatus = auditedRead("system.status", getStatusRaw);
// host inspect: the inventory its job found (the inspect itself is audited as host.inspect).
export const getHostInventory = auditedRead("host.inventory", getHostInventoryRaw, { type: "job", field: "job" });

// Usage
export const usageReport = audited("usage.report", usageReportRaw);
export const usageHistory = auditedRead("usage.history", usageHistoryRaw);
export const aggregateUsage = audited("usage.aggregate", aggregateUsageRaw);

// The trail itself: searching it is recorded too.
export const searchAudit = audited("audit.search", searchAuditRaw);

// Storage: pools defined in libvirt, disk offerings, data volumes (issue 7, part A)
const volumeJob = { type: "volume", field: "volume", id: (job: Job) => volumeIdOf(job) };
/** The volume a volume job changes (its payload's volumeId). */
function volumeIdOf(job: Job): string | null {
  const request = job.request;
  const payload = request && typeof request === "object" && !Array.isArray(request) ? request.payload : null;
  return payload && typeof payload === "object" && !Array.isArray(payload) && typeof payload.volumeId === "string" ? payload.volumeId : null;
}
export const definePool = audited("pool.define", definePoolRaw, { type: "pool", field: "pool", id: (r) => r.pool.id });
export const createDiskOffering = audited("disk-offering.create", createDiskOfferingRaw, { type: "disk-offering", field: "name" });
export const listDiskOfferings = auditedRead("disk-offering.list", listDiskOfferingsRaw);
export const deleteDiskOffering = audited("disk-offering.delete", deleteDiskOfferingRaw, { type: "disk-offering", field: "diskOffering" });
export const createVolume = audited("volume.create", createVolumeRaw, { type: "volume", field: "name", id: (r) => r.volume.id });
export const attachVolume = audited("volume.attach", attachVolumeRaw, volumeJob);
export const detachVolume = audited("volume.detach", detachVolumeRaw, volumeJob);
export const resizeVolume = audited("volume.resize", resizeVolumeRaw, volumeJob);
export const deleteVolume = audited("volume.delete", deleteVolumeRaw, volumeJob);
export const listVolumes = auditedRead("volume.list", listVolumesRaw);

// security groups (issue 17)
const securityGroup = { type: "security-group", field: "group" } as const;
const vmTarget = { type: "vm", field: "vm", id: (r: { vm: { id: string } }) => r.vm.id } as const;
export const createSecurityGroup = audited("security-group.create", createSecurityGroupRaw, { type: "security-group", field: "name" });
export const listSecurityGroups = auditedRead("security-group.list", listSecurityGroupsRaw);
export const getSecurityGroup = auditedRead("security-group.get", getSecurityGroupRaw, securityGroup);
export const deleteSecurityGroup = audited("security-group.delete", deleteSecurityGroupRaw, securityGroup);
export const addSecurityGroupRule = audited("security-group.rule-add", addSecurityGroupRuleRaw, { ...securityGroup, id: (r) => r.rule.id });
export const removeSecurityGroupRule = audited("security-group.rule-remove", removeSecurityGroupRuleRaw, { ...securityGroup, id: (r) => r.rule.id });
export const getVmSecurityGroups = auditedRead("vm.security-groups", getVmSecurityGroupsRaw, vmTarget);
export const setVmSecurityGroups = audited("vm.security-groups-set", setVmSecurityGroupsRaw, vmTarget);
export const openVmPort = audited("vm.open-port", openVmPortRaw, vmTarget);
export const reapplyFilters = audited("host.reapply-filters", reapplyFiltersRaw, { type: "host", field: "host", id: () => null });
export const setNetworkSettings = audited("settings.network", setNetworkSettingsRaw);

// console (issue 18): redeeming a link is the proxy's, not a user's call; it records its own event.
export const openConsole = audited("vm.console", openConsoleRaw, { type: "vm", field: "vm", id: (r) => r.vmId });
export const readSerialLog = auditedRead("vm.serial-log", readSerialLogRaw, { type: "vm", field: "vm", id: noId });

// day-2: a host declared dead (issue 19)
import { declareHostDead as declareHostDeadRaw } from "../hosts/declare-host-dead.ts";
import { setFencingSettings as setFencingSettingsRaw } from "../settings/set-fencing-settings.ts";
import { recreateVm as recreateVmRaw } from "../vms/recreate-vm.ts";
export const declareHostDead = audited("host.declare-dead", declareHostDeadRaw, { type: "host", field: "host", id: (r) => r.host.id });
export const setFencingSettings = audited("settings.fencing", setFencingSettingsRaw);
export const recreateVm = audited("vm.recreate", recreateVmRaw, { type: "vm", field: "vm", id: (r) => r.vm.id });
