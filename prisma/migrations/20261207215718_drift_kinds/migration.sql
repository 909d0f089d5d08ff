/*
  Warnings:

  - A unique constraint covering the columns `[hostId,kind,domainName]` on the table `DriftItem` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateEnum
CREATE TYPE "DriftKind" AS ENUM ('Domain', 'DhcpHost', 'DnsHost', 'Filter');

-- DropIndex
DROP INDEX "DriftItem_hostId_domainName_key";

-- AlterTable
ALTER TABLE "DriftItem" ADD COLUMN     "ip" TEXT,
ADD COLUMN     "kind" "DriftKind" NOT NULL DEFAULT 'Domain',
ADD COLUMN     "mac" TEXT,
ADD COLUMN     "network" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "DriftItem_hostId_kind_domainName_key" ON "DriftItem"("hostId", "kind", "domainName");
