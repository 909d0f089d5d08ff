-- CreateEnum
CREATE TYPE "NetworkKind" AS ENUM ('Managed', 'Bridge');

-- CreateEnum
CREATE TYPE "NetworkMode" AS ENUM ('nat', 'routed');

-- AlterTable
ALTER TABLE "ServiceOffering" ADD COLUMN     "networkId" UUID;

-- CreateTable
CREATE TABLE "Network" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "kind" "NetworkKind" NOT NULL,
    "mode" "NetworkMode",
    "cidr" TEXT NOT NULL,
    "gateway" TEXT,
    "rangeStart" TEXT,
    "rangeEnd" TEXT,
    "dnsDomain" TEXT,
    "libvirtName" TEXT,
    "bridge" TEXT,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Network_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NetworkHost" (
    "networkId" UUID NOT NULL,
    "hostId" UUID NOT NULL,

    CONSTRAINT "NetworkHost_pkey" PRIMARY KEY ("networkId","hostId")
);

-- CreateTable
CREATE TABLE "Nic" (
    "id" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "networkId" UUID NOT NULL,
    "mac" TEXT NOT NULL,
    "ip" TEXT,
    "deviceIndex" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Nic_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Network_name_key" ON "Network"("name");

-- CreateIndex
CREATE INDEX "NetworkHost_hostId_idx" ON "NetworkHost"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "Nic_mac_key" ON "Nic"("mac");

-- CreateIndex
CREATE INDEX "Nic_vmId_idx" ON "Nic"("vmId");

-- CreateIndex
CREATE UNIQUE INDEX "Nic_networkId_ip_key" ON "Nic"("networkId", "ip");

-- AddForeignKey
ALTER TABLE "NetworkHost" ADD CONSTRAINT "NetworkHost_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NetworkHost" ADD CONSTRAINT "NetworkHost_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Nic" ADD CONSTRAINT "Nic_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Nic" ADD CONSTRAINT "Nic_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceOffering" ADD CONSTRAINT "ServiceOffering_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE SET NULL ON UPDATE CASCADE;
