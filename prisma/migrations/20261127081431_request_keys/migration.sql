-- CreateTable
CREATE TABLE "RequestKey" (
    "key" TEXT NOT NULL,
    "actorId" UUID NOT NULL,
    "vmId" UUID,
    "jobId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RequestKey_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "RequestKey_createdAt_idx" ON "RequestKey"("createdAt");
