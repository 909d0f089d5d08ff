-- CreateEnum
CREATE TYPE "DriftState" AS ENUM ('Open', 'Ignored', 'Destroying', 'Resolved');

-- CreateTable
CREATE TABLE "DriftItem" (
    "id" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "domainName" TEXT NOT NULL,
    "domainUuid" TEXT,
    "reportedState" TEXT NOT NULL,
    "vmId" UUID,
    "note" TEXT NOT NULL,
    "state" "DriftState" NOT NULL DEFAULT 'Open',
    "jobId" UUID,
    "resolvedBy" UUID,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "DriftItem_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DriftItem_state_idx" ON "DriftItem"("state");

-- CreateIndex
CREATE UNIQUE INDEX "DriftItem_hostId_domainName_key" ON "DriftItem"("hostId", "domainName");

-- CreateIndex
CREATE INDEX "Job_hostId_kind_createdAt_idx" ON "Job"("hostId", "kind", "createdAt");

-- AddForeignKey
ALTER TABLE "DriftItem" ADD CONSTRAINT "DriftItem_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;
