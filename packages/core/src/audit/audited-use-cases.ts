/**
 * Core's use-cases as every front door sees them: each one audited (see `audited`). index.ts
 * exports these instead of the raw functions, so the CLI, Slack, the portal and the API record
 * every call without doing anything themselves; core's own internal calls go to the raw functions
 * and are covered by the outer call.
 *
 * Reads (list, get, show, plan) are recorded too: "who looked at what" is part of the trail, and
 * one row per call (waitForJob is one call however long it polls) keeps the volume bounded.
 * Targets name identifier fields only (a name, an id); inputs are never recorded.
 */
import type { Job } from "@carve/db";
import { getDirectoryView as getDirectoryViewRaw } from "../identity/get-directory-view.ts";
import { checkDirectory as checkDirectoryRaw } from "../identity/check-directory.ts";
import { configureDirectory as configureDirectoryRaw } from "../identity/configure-directory.ts";
import { createApiKey as createApiKeyRaw } from "../identity/create-api-key.ts";
import { createLocalUser as createLocalUserRaw } from "../identity/create-local-user.ts";
import { listApiKeys as listApiKeysRaw } from "../identity/list-api-keys.ts";
import { listGroups as listGroupsRaw } from "../identity/list-groups.ts";
import { listUsers as listUsersRaw } from "../identity/list-users.ts";
import { mapGroup as mapGroupRaw } from "../identity/map-group.ts";
import { resetPassword as resetPasswordRaw } from "../identity/reset-password.ts";
import { revokeApiKey as revokeApiKeyRaw } from "../identity/revoke-api-key.ts";
import { setUserEnabled as setUserEnabledRaw } from "../identity/set-user-enabled.ts";
import { issueSetupToken as issueSetupTokenRaw } from "../identity/setup-token.ts";
import { syncDirectory as syncDirectoryRaw } from "../identity/sync-directory.ts";
import { addHost as addHostRaw } from "../hosts/add-host.ts";
import { inspectHost as inspectHostRaw } from "../hosts/inspect-host.ts";
import { issueJoinToken as issueJoinTokenRaw } from "../hosts/join-token.ts";
import { listHosts as listHostsRaw } from "../hosts/list-hosts.ts";
import { removeHost as removeHostRaw } from "../hosts/remove-host.ts";
import { getJob as getJobRaw } from "../jobs/get-job.ts";
import { waitForJob as waitForJobRaw } from "../jobs/wait-for-job.ts";
import { createOffering as createOfferingRaw } from "../offerings/create-offering.ts";
import { deleteOffering as deleteOfferingRaw } from "../offerings/delete-offering.ts";
import { listOfferings as listOfferingsRaw } from "../offerings/list-offerings.ts";
import { addPool as addPoolRaw } from "../pools/add-pool.ts";
import { deletePool as deletePoolRaw } from "../pools/delete-pool.ts";
import { listPools as listPoolsRaw } from "../pools/list-pools.ts";
import { getQuota as getQuotaRaw } from "../quotas/get-quota.ts";
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
import { aggregateUsage as aggregateUsageRaw } from "../usage/aggregate-usage.ts";
import { usageReport as usageReportRaw } from "../usage/usage-report.ts";
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
import { audited } from "./audited.ts";
import { searchAudit as searchAuditRaw } from "./search-audit.ts";

const vmJob = { type: "vm", field: "vm", id: (job: Job) => job.vmId };
const noId = () => null;

// VMs
export const createVm = audited("vm.create", createVmRaw, { type: "vm", field: "name", id: (r) => r.vm.id });
export const createVmOnce = audited("vm.create", createVmOnceRaw, { type: "vm", field: "name", id: (r) => (r.duplicate ? r.vmId : r.vm.id) });
export const startVm = audited("vm.start", startVmRaw, vmJob);
export const stopVm = audited("vm.stop", stopVmRaw, vmJob);
export const rebootVm = audited("vm.reboot", rebootVmRaw, vmJob);
export const destroyVm = audited("vm.destroy", destroyVmRaw, vmJob);
export const getVm = audited("vm.get", getVmRaw, { type: "vm", field: "vm" });
export const listVms = audited("vm.list", listVmsRaw);
export const planVm = audited("vm.plan", planVmRaw, { type: "vm", field: "name", id: noId });
export const resetVmPassword = audited("vm.reset-password", resetVmPasswordRaw, { type: "vm", field: "vm", id: (r) => r.job.vmId });
export const revealVmPassword = audited("vm.reveal-password", revealVmPasswordRaw, { type: "vm", field: "vm", id: (r) => r.vmId });

// Jobs
export const getJob = audited("job.get", getJobRaw, { type: "job" });
export const waitForJob = audited("job.wait", waitForJobRaw, { type: "job" });

// SSH keys
export const addSshKey = audited("sshkey.add", addSshKeyRaw, { type: "ssh-key", field: "name" });
export const listSshKeys = audited("sshkey.list", listSshKeysRaw);
export const removeSshKey = audited("sshkey.remove", removeSshKeyRaw, { type: "ssh-key", field: "key" });

// Identity
export const createLocalUser = audited("user.create", createLocalUserRaw, { type: "user", field: "username" });
export const setUserEnabled = audited("user.set-enabled", setUserEnabledRaw, { type: "user", field: "user", id: noId });
export const resetPassword = audited("user.reset-password", resetPasswordRaw, { type: "user", field: "user", id: noId });
export const listUsers = audited("user.list", listUsersRaw);
export const createApiKey = audited("apikey.create", createApiKeyRaw, { type: "api-key", field: "name" });
export const listApiKeys = audited("apikey.list", listApiKeysRaw);
export const revokeApiKey = audited("apikey.revoke", revokeApiKeyRaw, { type: "api-key", field: null });
export const configureDirectory = audited("directory.configure", configureDirectoryRaw, { type: "directory", id: noId });
export const getDirectoryView = audited("directory.show", getDirectoryViewRaw);
export const checkDirectory = audited("directory.check", checkDirectoryRaw);
export const syncDirectory = audited("directory.sync", syncDirectoryRaw);
export const mapGroup = audited("group.map", mapGroupRaw, { type: "group", field: "group" });
export const listGroups = audited("group.list", listGroupsRaw);
export const issueSetupToken = audited("auth.setup-token", issueSetupTokenRaw);

// Quotas and settings
export const setQuota = audited("quota.set", setQuotaRaw, { type: "quota", field: ["user", "group"] });
export const getQuota = audited("quota.get", getQuotaRaw, { type: "user", id: noId });
export const setPlacementSettings = audited("settings.placement", setPlacementSettingsRaw);
export const setTemplateSettings = audited("settings.templates", setTemplateSettingsRaw);
export const setLogLevel = audited("settings.log-level", setLogLevelRaw);

// Infrastructure
export const addHost = audited("host.add", addHostRaw, { type: "host", field: "name" });
export const listHosts = audited("host.list", listHostsRaw);
export const inspectHost = audited("host.inspect", inspectHostRaw, { type: "host", id: (job) => job.hostId });
export const issueJoinToken = audited("host.join-token", issueJoinTokenRaw, { type: "host", field: "host", id: (r) => r.hostId });
export const removeHost = audited("host.remove", removeHostRaw, { type: "host", field: "host" });
export const addPool = audited("pool.add", addPoolRaw, { type: "pool", field: "name" });
export const listPools = audited("pool.list", listPoolsRaw);
export const deletePool = audited("pool.delete", deletePoolRaw, { type: "pool", field: "pool" });
export const createOffering = audited("offering.create", createOfferingRaw, { type: "offering", field: "name" });
export const listOfferings = audited("offering.list", listOfferingsRaw);
export const deleteOffering = audited("offering.delete", deleteOfferingRaw, { type: "offering", field: "offering" });
export const registerTemplate = audited("template.register", registerTemplateRaw, { type: "template", field: "name" });
export const addTemplate = audited("template.add", addTemplateRaw, { type: "template", field: "name" });
export const listTemplates = audited("template.list", listTemplatesRaw);
export const deleteTemplate = audited("template.delete", deleteTemplateRaw, { type: "template", field: "template" });
export const ensureTemplateCopy = audited("template.copy", ensureTemplateCopyRaw, { type: "template", field: "template", id: (r) => r.copy.templateId });
export const listDrift = audited("drift.list", listDriftRaw);
export const destroyDrift = audited("drift.destroy", destroyDriftRaw, { type: "drift", id: noId });
export const ignoreDrift = audited("drift.ignore", ignoreDriftRaw, { type: "drift" });
export const getStatus = audited("system.status", getStatusRaw);

// Usage
export const usageReport = audited("usage.report", usageReportRaw);
export const aggregateUsage = audited("usage.aggregate", aggregateUsageRaw);

// The trail itself: searching it is recorded too.
export const searchAudit = audited("audit.search", searchAuditRaw);
