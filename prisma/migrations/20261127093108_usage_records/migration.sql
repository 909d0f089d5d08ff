-- CreateEnum
CREATE TYPE "UsageGranularity" AS ENUM ('Hour', 'Day');

-- CreateEnum
CREATE TYPE "UsageKind" AS ENUM ('VmRunning', 'VmAllocated', 'Volume', 'Template');

-- CreateTable
CREATE TABLE "UsageRecord" (
    "id" BIGSERIAL NOT NULL,
    "granularity" "UsageGranularity" NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "kind" "UsageKind" NOT NULL,
    "subjectId" UUID NOT NULL,
    "dimension" TEXT NOT NULL DEFAULT '',
    "ownerId" UUID,
    "teamId" UUID,
    "offeringId" UUID,
    "poolScope" "PoolScope",
    "size" BIGINT NOT NULL DEFAULT 1,
    "durationMs" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UsageRecord_granularity_periodStart_idx" ON "UsageRecord"("granularity", "periodStart");

-- CreateIndex
CREATE INDEX "UsageRecord_ownerId_granularity_periodStart_idx" ON "UsageRecord"("ownerId", "granularity", "periodStart");

-- CreateIndex
CREATE UNIQUE INDEX "UsageRecord_granularity_periodStart_kind_subjectId_dimensio_key" ON "UsageRecord"("granularity", "periodStart", "kind", "subjectId", "dimension");
