-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "migrationAddress" TEXT,
ADD COLUMN     "migrationUri" TEXT;

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "parentJobId" UUID;

-- CreateIndex
CREATE INDEX "Job_parentJobId_idx" ON "Job"("parentJobId");
