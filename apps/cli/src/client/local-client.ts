import { addSshKey, attachVolume, createVm, createVolume, deleteVolume, detachVolume, listDiskOfferings, listVolumes, resizeVolume, destroyVm, getJob, getVm, listHosts, listOfferings, listSshKeys, listTemplates, listVms, rebootVm, removeSshKey, searchAudit, startVm, stopVm, waitForJob, whoAmI, type TActor, type TCore, createDiskOffering, createOffering, deleteDiskOffering, deleteOffering, getQuota, listPools, setQuota, endUserSessions, createApiKey, listApiKeys, revokeApiKey, resetVmPassword, revealVmPassword, unlockSignIn, type TIdentityDeps, getDirectoryView, configureDirectory, checkDirectory, syncDirectory, listGroups, mapGroup, listUsers, createLocalUser, setUserEnabled, usageReport, aggregateUsage, resetPassword } from "@carve/core";
import { addHost, cancelHostMaintenance, destroyDrift, getHostInventory, getStatus, ignoreDrift, inspectHost, issueJoinToken, listDrift, planHostMaintenance, prepareHostMaintenance, removeHost } from "@carve/core";
import { addPool, addTemplate, cancelVolumeMigration, definePool, deletePool, deleteTemplate, ensureTemplateCopy, migrateVolume, registerTemplate } from "@carve/core";
import { localJoinCommand } from "./local-join-command.ts";
import { updateTemplate } from "@carve/core";
import { cancelVmMigration, migrateVm, planVm, setLogLevel, setMigrationSettings, setPlacementSettings, setStorageSettings, setTemplateSettings } from "@carve/core";
import { addSecurityGroupRule, createSecurityGroup, deleteSecurityGroup, getSecurityGroup, getVmSecurityGroups, listSecurityGroups, openVmPort, removeSecurityGroupRule, setNetworkSettings, setVmSecurityGroups } from "@carve/core";
import type { TCarveClient, TSettingsGroup, TSettingsGroups } from "./carve-client.ts";
// console (issue 18)
import { openConsole, readSerialLog } from "@carve/core";
import { createNetwork, defineNetwork, deleteNetwork, getNetwork, listNetworks, updateNetwork } from "@carve/core";
// day-2 (issue 19)
import { declareHostDead, recreateVm, setFencingSettings } from "@carve/core";

/** The core use-case of each settings group (it changes the group, or only shows it given no change). */
const SETTINGS = {
  placement: setPlacementSettings,
  templates: setTemplateSettings,
  migration: setMigrationSettings,
  storage: setStorageSettings,
  "log-level": setLogLevel,
  // security groups (issue 17)
  network: setNetworkSettings,
  // day-2 (issue 19)
  fencing: setFencingSettings,
} satisfies Record<TSettingsGroup, unknown>;

/**
 * The client of the CLI on the management server: core's use-cases on its database, as `actor`.
 * `core` carries identity's options (the secret key) for the password reveals.
 */
export function localClient(core: TIdentityDeps & TCore, actor: TActor, options: TLocalClientOptions = {}): TCarveClient {
  return {
    where: "local",
    whoami: async () => ({ ...whoAmI(actor), osUser: actor.origin?.osUser, osHost: actor.origin?.osHost }),
    listVms: (query) => listVms(core, actor, query),
    createVm: (input) => createVm(core, actor, input),
    getVm: (ref) => getVm(core, actor, { vm: ref }),
    vmAction: (ref, action, options = {}) => {
      if (action === "stop") return stopVm(core, actor, { vm: ref, force: options.force ?? false, ...(options.timeoutSec === undefined ? {} : { timeoutSec: options.timeoutSec }) });
      if (action === "destroy") return destroyVm(core, actor, { vm: ref, ...(options.withVolumes ? { withVolumes: true } : {}) });
      return (action === "start" ? startVm : rebootVm)(core, actor, { vm: ref });
    },
    getJob: (id) => getJob(core, actor, id),
    waitForJob: (id, options) => waitForJob(core, actor, id, options),
    listOfferings: () => listOfferings(core, actor),
    listHosts: () => listHosts(core, actor),
    listTemplates: () => listTemplates(core, actor),
    listSshKeys: () => listSshKeys(core, actor),
    addSshKey: (input) => addSshKey(core, actor, input),
    removeSshKey: (ref) => removeSshKey(core, actor, { key: ref }),
    searchAudit: (query) => searchAudit(core, actor, query),
    listDiskOfferings: () => listDiskOfferings(core, actor),
    listVolumes: (query) => listVolumes(core, actor, query),
    createVolume: (input) => createVolume(core, actor, input),
    volumeAction: (ref, action, input = {}) => {
      if (action === "attach") return attachVolume(core, actor, { volume: ref, vm: input.vm });
      if (action === "resize") return resizeVolume(core, actor, { volume: ref, sizeGiB: input.sizeGiB });
      return (action === "detach" ? detachVolume : deleteVolume)(core, actor, { volume: ref });
    },
    // Admin offering commands.
    createOffering: (input) => createOffering(core, actor, input),
    deleteOffering: (ref, { retire }) => deleteOffering(core, actor, { offering: ref, retire }),
    createDiskOffering: (input) => createDiskOffering(core, actor, input),
    deleteDiskOffering: (ref) => deleteDiskOffering(core, actor, { diskOffering: ref }),
    // Pools and quotas.
    listPools: async () => (await listPools(core, actor)).map((p) => ({ ...p, hosts: p.hosts.map((h) => h.host) })),
    getQuota: (username) => getQuota(core, actor, username),
    setQuota: (input) => setQuota(core, actor, input),
    // vm reset-password
    resetVmPassword: (ref, user) => resetVmPassword(core, actor, { vm: ref, user }),
    revealVmPassword: (ref, revealId) => revealVmPassword(core, actor, revealId === undefined ? { vm: ref } : { revealId }),
    // auth unlock
    unlockSignIn: (target) => unlockSignIn(core, actor, { target }),
    // apikey create|list|revoke
    createApiKey: (input) => createApiKey(core, actor, input),
    listApiKeys: (user) => listApiKeys(core, actor, { user }),
    revokeApiKey: (ref) => revokeApiKey(core, actor, ref),
    // user sign-out
    endUserSessions: (user) => endUserSessions(core, actor, { user }),
    // admin reset-password
    resetPassword: (user, password) => resetPassword(core, actor, { user, password }),
    // status, host add|join-token|remove|inspect, host maintenance plan|start|cancel, drift list|ignore|destroy
    getStatus: () => getStatus(core, actor),
    addHost: async (input) => {
      const h = await addHost(core, actor, input);
      const { token, expiresAt } = h.joinToken;
      return { id: h.id, name: h.name, uri: h.uri, state: h.state, cpuOvercommit: h.cpuOvercommit, memOvercommit: h.memOvercommit, tags: h.tags, createdAt: h.createdAt, joinToken: { token, expiresAt }, joinCommand: localJoinCommand(token, h.uri) };
    },
    issueJoinToken: async (host, ttlMinutes) => {
      const t = await issueJoinToken(core, actor, { host, ttlMinutes });
      return { ...t, joinCommand: localJoinCommand(t.token, t.hostUri) };
    },
    removeHost: async (host) => {
      const h = await removeHost(core, actor, { host });
      return { id: h.id, name: h.name, state: h.state };
    },
    inspectHost: (host) => inspectHost(core, actor, host),
    getHostInventory: (jobId) => getHostInventory(core, actor, { job: jobId }),
    planHostMaintenance: (host) => planHostMaintenance(core, actor, { host }),
    startHostMaintenance: (host) => prepareHostMaintenance(core, actor, { host }),
    cancelHostMaintenance: (host) => cancelHostMaintenance(core, actor, { host }),
    listDrift: (all) => listDrift(core, actor, { all }),
    ignoreDrift: (id) => ignoreDrift(core, actor, id),
    destroyDrift: (id) => destroyDrift(core, actor, id),
    // pool add|define|delete
    addPool: (input) => addPool(core, actor, input),
    definePool: (ref, host) => definePool(core, actor, { pool: ref, ...(host ? { host } : {}) }),
    deletePool: (ref) => deletePool(core, actor, { pool: ref }),
    // template register|add|copy|delete
    registerTemplate: (input) => registerTemplate(core, actor, input),
    addTemplate: (input) => addTemplate(core, actor, input),
    copyTemplate: (template, pool) => ensureTemplateCopy(core, actor, { template, pool }),
    deleteTemplate: (ref) => deleteTemplate(core, actor, { template: ref }),
    // template update (issue 17)
    updateTemplate: (ref, changes) => updateTemplate(core, actor, { template: ref, ...changes }),
    // volume migrate|migrate-cancel
    migrateVolume: (ref, pool) => migrateVolume(core, actor, { volume: ref, pool }),
    cancelVolumeMigration: (ref) => cancelVolumeMigration(core, actor, { volume: ref }),
    // vm migrate|migrate-cancel|plan, settings placement|templates|migration|storage|log-level
    migrateVm: (ref, host) => migrateVm(core, actor, { vm: ref, host }),
    cancelVmMigration: (ref) => cancelVmMigration(core, actor, { vm: ref }),
    planVm: (input) => planVm(core, actor, input),
    changeSettings: <G extends TSettingsGroup>(group: G, changes: TSettingsGroups[G]["changes"]) =>
      SETTINGS[group](core, actor, changes) as Promise<TSettingsGroups[G]["settings"]>,
    // directory show|set|test|sync, group list|map: groups in the REST API's shape (a member count, no timestamps).
    getDirectory: () => getDirectoryView(core, actor),
    configureDirectory: (input) => configureDirectory(core, actor, input),
    checkDirectory: () => checkDirectory(core, actor),
    syncDirectory: () => syncDirectory(core, actor),
    listGroups: async () => (await listGroups(core, actor)).map(({ _count, ...g }) => ({ id: g.id, name: g.name, ldapDn: g.ldapDn, role: g.role, isTeam: g.isTeam, members: _count.members })),
    mapGroup: async (input) => {
      const g = await mapGroup(core, actor, input);
      return { id: g.id, name: g.name, ldapDn: g.ldapDn, role: g.role, isTeam: g.isTeam };
    },
    // user list|create|enable|disable
    listUsers: (query) => listUsers(core, actor, query),
    createLocalUser: (input) => createLocalUser(core, actor, input),
    setUserEnabled: (user, enabled) => setUserEnabled(core, actor, { user, enabled }),
    // usage report|aggregate
    usageReport: (input) => usageReport(core, actor, input),
    aggregateUsage: (input) => aggregateUsage(core, actor, input),
    // networks (issue 17)
    createNetwork: (input) => createNetwork(core, actor, input),
    listNetworks: () => listNetworks(core, actor),
    getNetwork: (ref) => getNetwork(core, actor, { network: ref }),
    updateNetwork: (ref, changes) => updateNetwork(core, actor, { ...changes, network: ref }),
    deleteNetwork: (ref) => deleteNetwork(core, actor, { network: ref }),
    // security groups (issue 17)
    listSecurityGroups: (all) => listSecurityGroups(core, actor, { all }),
    createSecurityGroup: (input) => createSecurityGroup(core, actor, input),
    getSecurityGroup: (ref) => getSecurityGroup(core, actor, { group: ref }),
    deleteSecurityGroup: (ref) => deleteSecurityGroup(core, actor, { group: ref }),
    addSecurityRule: (group, rule) => addSecurityGroupRule(core, actor, { group, ...rule }),
    removeSecurityRule: (group, rule) => removeSecurityGroupRule(core, actor, { group, rule }),
    getVmSecurityGroups: (vm) => getVmSecurityGroups(core, actor, { vm }),
    setVmSecurityGroups: (vm, groups) => setVmSecurityGroups(core, actor, { vm, groups }),
    openVmPort: (vm, input) => openVmPort(core, actor, { vm, ...input }),
    // console (issue 18): the link on the portal's address when CARVE_PORTAL_URL names it
    openConsole: async (ref, kind) => {
      const link = await openConsole(core, actor, { vm: ref, kind });
      const url = options.portalUrl ? new URL(link.path, options.portalUrl).href : link.path;
      return { vmId: link.vmId, vmName: link.vmName, kind: link.kind, url, expiresAt: link.expiresAt };
    },
    readSerialLog: (ref, lines) => readSerialLog(core, actor, { vm: ref, ...(lines === undefined ? {} : { lines }) }),
    defineNetwork: (ref, host) => defineNetwork(core, actor, { network: ref, ...(host ? { host } : {}) }),
    // day-2 (issue 19)
    declareHostDead: (host, confirm) => declareHostDead(core, actor, { host, confirm }),
    recreateVm: (ref) => recreateVm(core, actor, { vm: ref }),
  };
}

// console (issue 18)
export interface TLocalClientOptions {
  /** The portal's public address (CARVE_PORTAL_URL), for links to its pages. */
  portalUrl?: string | undefined;
}
