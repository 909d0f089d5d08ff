-- CreateEnum
CREATE TYPE "SecurityRuleProtocol" AS ENUM ('tcp', 'udp', 'icmp', 'all');

-- CreateTable
CREATE TABLE "SecurityGroup" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "ownerId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SecurityGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SecurityGroupRule" (
    "id" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "protocol" "SecurityRuleProtocol" NOT NULL,
    "portFrom" INTEGER,
    "portTo" INTEGER,
    "sourceCidr" TEXT,
    "sourceGroupId" UUID,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SecurityGroupRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VmSecurityGroup" (
    "vmId" UUID NOT NULL,
    "groupId" UUID NOT NULL,

    CONSTRAINT "VmSecurityGroup_pkey" PRIMARY KEY ("vmId","groupId")
);

-- CreateIndex
CREATE UNIQUE INDEX "SecurityGroup_ownerId_name_key" ON "SecurityGroup"("ownerId", "name");

-- CreateIndex
CREATE INDEX "SecurityGroupRule_groupId_idx" ON "SecurityGroupRule"("groupId");

-- CreateIndex
CREATE INDEX "SecurityGroupRule_sourceGroupId_idx" ON "SecurityGroupRule"("sourceGroupId");

-- CreateIndex
CREATE INDEX "VmSecurityGroup_groupId_idx" ON "VmSecurityGroup"("groupId");

-- AddForeignKey
ALTER TABLE "SecurityGroup" ADD CONSTRAINT "SecurityGroup_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecurityGroupRule" ADD CONSTRAINT "SecurityGroupRule_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "SecurityGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecurityGroupRule" ADD CONSTRAINT "SecurityGroupRule_sourceGroupId_fkey" FOREIGN KEY ("sourceGroupId") REFERENCES "SecurityGroup"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VmSecurityGroup" ADD CONSTRAINT "VmSecurityGroup_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VmSecurityGroup" ADD CONSTRAINT "VmSecurityGroup_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "SecurityGroup"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
