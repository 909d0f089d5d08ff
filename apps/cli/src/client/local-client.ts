import { addSshKey, attachVolume, createVm, createVolume, deleteVolume, detachVolume, listDiskOfferings, listVolumes, resizeVolume, destroyVm, getJob, getVm, listHosts, listOfferings, listSshKeys, listTemplates, listVms, rebootVm, removeSshKey, searchAudit, startVm, stopVm, waitForJob, whoAmI, type TActor, type TCore, createDiskOffering, createOffering, deleteDiskOffering, deleteOffering, getQuota, listPools, setQuota, endUserSessions, createApiKey, listApiKeys, revokeApiKey, resetVmPassword, revealVmPassword, unlockSignIn, type TIdentityDeps, getDirectoryView, configureDirectory, checkDirectory, syncDirectory, listGroups, mapGroup, listUsers, createLocalUser, setUserEnabled, usageReport, aggregateUsage } from "@carve/core";
import type { TCarveClient } from "./carve-client.ts";

/**
 * The client of the CLI on the management server: core's use-cases on its database, as `actor`.
 * `core` carries identity's options (the secret key) for the password reveals.
 */
export function localClient(core: TIdentityDeps & TCore, actor: TActor): TCarveClient {
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
  };
}
