-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "fetchLeaseUntil" TIMESTAMP(3),
ADD COLUMN     "storedPath" TEXT,
ADD COLUMN     "virtualSizeBytes" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "TemplateCopy" ADD COLUMN     "jobId" UUID;
