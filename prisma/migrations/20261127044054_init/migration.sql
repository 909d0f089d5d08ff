-- CreateEnum
CREATE TYPE "UserSource" AS ENUM ('Local', 'Ldap');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('Admin', 'User');

-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('Read', 'Write');

-- CreateEnum
CREATE TYPE "TokenKind" AS ENUM ('Setup', 'HostJoin');

-- CreateEnum
CREATE TYPE "HostState" AS ENUM ('Up', 'Disconnected', 'PrepareForMaintenance', 'Maintenance', 'Removed');

-- CreateEnum
CREATE TYPE "PoolKind" AS ENUM ('Dir', 'Netfs');

-- CreateEnum
CREATE TYPE "PoolScope" AS ENUM ('Local', 'Shared');

-- CreateEnum
CREATE TYPE "PoolState" AS ENUM ('Up', 'Unhealthy', 'Maintenance', 'Removed');

-- CreateEnum
CREATE TYPE "TemplateState" AS ENUM ('Registered', 'Downloading', 'Ready', 'Error', 'Deleted');

-- CreateEnum
CREATE TYPE "DiskFormat" AS ENUM ('qcow2', 'raw', 'iso');

-- CreateEnum
CREATE TYPE "CopyState" AS ENUM ('Copying', 'Ready', 'Error');

-- CreateEnum
CREATE TYPE "VmState" AS ENUM ('Creating', 'Starting', 'Running', 'Stopping', 'Stopped', 'Rebooting', 'Migrating', 'Destroying', 'Destroyed', 'Error', 'Unknown');

-- CreateEnum
CREATE TYPE "VolumeKind" AS ENUM ('Root', 'Data');

-- CreateEnum
CREATE TYPE "VolumeState" AS ENUM ('Allocating', 'Ready', 'Attached', 'Migrating', 'Deleting', 'Deleted', 'Error');

-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "source" "UserSource" NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'User',
    "displayName" TEXT,
    "email" TEXT,
    "passwordHash" TEXT,
    "ldapDn" TEXT,
    "disabledAt" TIMESTAMP(3),
    "sessionEpoch" INTEGER NOT NULL DEFAULT 0,
    "slackUserId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Group" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "ldapDn" TEXT,
    "isTeam" BOOLEAN NOT NULL DEFAULT false,
    "role" "Role",
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GroupMember" (
    "userId" UUID NOT NULL,
    "groupId" UUID NOT NULL,

    CONSTRAINT "GroupMember_pkey" PRIMARY KEY ("userId","groupId")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scope" "ApiKeyScope" NOT NULL DEFAULT 'Read',
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SshKey" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SshKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OneTimeToken" (
    "id" UUID NOT NULL,
    "kind" "TokenKind" NOT NULL,
    "hash" TEXT NOT NULL,
    "hostId" UUID,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OneTimeToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Quota" (
    "id" UUID NOT NULL,
    "userId" UUID,
    "groupId" UUID,
    "maxVms" INTEGER,
    "maxVcpus" INTEGER,
    "maxMemMiB" INTEGER,
    "maxStorGiB" INTEGER,

    CONSTRAINT "Quota_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Host" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "uri" TEXT NOT NULL,
    "state" "HostState" NOT NULL DEFAULT 'Disconnected',
    "cpus" INTEGER NOT NULL DEFAULT 0,
    "memoryMiB" INTEGER NOT NULL DEFAULT 0,
    "cpuOvercommit" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "memOvercommit" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "vcpusAllocated" INTEGER NOT NULL DEFAULT 0,
    "memMiBAllocated" INTEGER NOT NULL DEFAULT 0,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "lastHeartbeatAt" TIMESTAMP(3),
    "agentVersion" TEXT,
    "credentialHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StoragePool" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "libvirtName" TEXT NOT NULL,
    "kind" "PoolKind" NOT NULL DEFAULT 'Dir',
    "scope" "PoolScope" NOT NULL DEFAULT 'Local',
    "hostId" UUID,
    "path" TEXT NOT NULL,
    "sourceHost" TEXT,
    "sourcePath" TEXT,
    "state" "PoolState" NOT NULL DEFAULT 'Up',
    "stateReason" TEXT,
    "capacityBytes" BIGINT NOT NULL DEFAULT 0,
    "allocatedBytes" BIGINT NOT NULL DEFAULT 0,
    "availableBytes" BIGINT NOT NULL DEFAULT 0,
    "reservedBytes" BIGINT NOT NULL DEFAULT 0,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StoragePool_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PoolHost" (
    "poolId" UUID NOT NULL,
    "hostId" UUID NOT NULL,

    CONSTRAINT "PoolHost_pkey" PRIMARY KEY ("poolId","hostId")
);

-- CreateTable
CREATE TABLE "Template" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "osType" TEXT NOT NULL DEFAULT 'linux',
    "state" "TemplateState" NOT NULL DEFAULT 'Registered',
    "stateReason" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "sourceUrl" TEXT,
    "format" "DiskFormat" NOT NULL DEFAULT 'qcow2',
    "sizeBytes" BIGINT NOT NULL DEFAULT 0,
    "minDiskGiB" INTEGER NOT NULL DEFAULT 1,
    "sha256" TEXT,
    "supportsPasswordReset" BOOLEAN NOT NULL DEFAULT false,
    "supportsCloudInit" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Template_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TemplateCopy" (
    "templateId" UUID NOT NULL,
    "poolId" UUID NOT NULL,
    "volumeName" TEXT NOT NULL,
    "state" "CopyState" NOT NULL DEFAULT 'Ready',
    "stateReason" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 100,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TemplateCopy_pkey" PRIMARY KEY ("templateId","poolId")
);

-- CreateTable
CREATE TABLE "ServiceOffering" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "vcpus" INTEGER NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "rootDiskGiB" INTEGER NOT NULL,
    "rootScope" "PoolScope",
    "storageTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "hostTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServiceOffering_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DiskOffering" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "sizeGiB" INTEGER,
    "scope" "PoolScope" NOT NULL DEFAULT 'Shared',
    "storageTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DiskOffering_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vm" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "liveName" TEXT,
    "description" TEXT,
    "ownerId" UUID NOT NULL,
    "teamId" UUID,
    "hostId" UUID,
    "templateId" UUID NOT NULL,
    "offeringId" UUID NOT NULL,
    "state" "VmState" NOT NULL DEFAULT 'Creating',
    "stateReason" TEXT,
    "vcpus" INTEGER NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "ipAddress" TEXT,
    "activeJobId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "destroyedAt" TIMESTAMP(3),

    CONSTRAINT "Vm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Volume" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "VolumeKind" NOT NULL,
    "vmId" UUID,
    "ownerId" UUID NOT NULL,
    "poolId" UUID NOT NULL,
    "diskOfferingId" UUID,
    "libvirtName" TEXT NOT NULL,
    "sizeGiB" INTEGER NOT NULL,
    "state" "VolumeState" NOT NULL DEFAULT 'Allocating',
    "stateReason" TEXT,
    "path" TEXT,
    "deviceIndex" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Volume_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "state" "JobState" NOT NULL DEFAULT 'Queued',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "step" TEXT,
    "actorId" UUID,
    "vmId" UUID,
    "hostId" UUID,
    "request" JSONB,
    "result" JSONB,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "actorId" UUID,
    "vmId" UUID,
    "hostId" UUID,
    "jobId" UUID,
    "fromState" TEXT,
    "toState" TEXT,
    "message" TEXT NOT NULL,
    "data" JSONB,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" UUID,
    "actorName" TEXT,
    "via" TEXT NOT NULL,
    "clientAddr" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "outcome" TEXT NOT NULL,
    "errorCode" TEXT,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "encrypted" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" UUID,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "User_slackUserId_key" ON "User"("slackUserId");

-- CreateIndex
CREATE UNIQUE INDEX "Group_name_key" ON "Group"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Group_ldapDn_key" ON "Group"("ldapDn");

-- CreateIndex
CREATE INDEX "GroupMember_groupId_idx" ON "GroupMember"("groupId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");

-- CreateIndex
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "SshKey_userId_fingerprint_key" ON "SshKey"("userId", "fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "OneTimeToken_hash_key" ON "OneTimeToken"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "Quota_userId_key" ON "Quota"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Quota_groupId_key" ON "Quota"("groupId");

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

-- CreateIndex
CREATE UNIQUE INDEX "StoragePool_name_key" ON "StoragePool"("name");

-- CreateIndex
CREATE INDEX "PoolHost_hostId_idx" ON "PoolHost"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "Template_name_key" ON "Template"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceOffering_name_key" ON "ServiceOffering"("name");

-- CreateIndex
CREATE UNIQUE INDEX "DiskOffering_name_key" ON "DiskOffering"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Vm_activeJobId_key" ON "Vm"("activeJobId");

-- CreateIndex
CREATE INDEX "Vm_state_idx" ON "Vm"("state");

-- CreateIndex
CREATE INDEX "Vm_hostId_idx" ON "Vm"("hostId");

-- CreateIndex
CREATE INDEX "Vm_ownerId_createdAt_idx" ON "Vm"("ownerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Vm_ownerId_liveName_key" ON "Vm"("ownerId", "liveName");

-- CreateIndex
CREATE INDEX "Volume_vmId_idx" ON "Volume"("vmId");

-- CreateIndex
CREATE INDEX "Volume_poolId_idx" ON "Volume"("poolId");

-- CreateIndex
CREATE INDEX "Job_state_createdAt_idx" ON "Job"("state", "createdAt");

-- CreateIndex
CREATE INDEX "Job_vmId_createdAt_idx" ON "Job"("vmId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_actorId_createdAt_idx" ON "Job"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "Event_vmId_at_idx" ON "Event"("vmId", "at");

-- CreateIndex
CREATE INDEX "Event_type_at_idx" ON "Event"("type", "at");

-- CreateIndex
CREATE INDEX "Event_at_idx" ON "Event"("at");

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- CreateIndex
CREATE INDEX "AuditEntry_actorId_at_idx" ON "AuditEntry"("actorId", "at");

-- AddForeignKey
ALTER TABLE "GroupMember" ADD CONSTRAINT "GroupMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupMember" ADD CONSTRAINT "GroupMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SshKey" ADD CONSTRAINT "SshKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Quota" ADD CONSTRAINT "Quota_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Quota" ADD CONSTRAINT "Quota_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StoragePool" ADD CONSTRAINT "StoragePool_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PoolHost" ADD CONSTRAINT "PoolHost_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "StoragePool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PoolHost" ADD CONSTRAINT "PoolHost_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemplateCopy" ADD CONSTRAINT "TemplateCopy_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemplateCopy" ADD CONSTRAINT "TemplateCopy_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "StoragePool"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Group"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_offeringId_fkey" FOREIGN KEY ("offeringId") REFERENCES "ServiceOffering"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Volume" ADD CONSTRAINT "Volume_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Volume" ADD CONSTRAINT "Volume_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Volume" ADD CONSTRAINT "Volume_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "StoragePool"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Volume" ADD CONSTRAINT "Volume_diskOfferingId_fkey" FOREIGN KEY ("diskOfferingId") REFERENCES "DiskOffering"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE SET NULL ON UPDATE CASCADE;
