-- CreateTable
CREATE TABLE "KnownSignInAddress" (
    "key" TEXT NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KnownSignInAddress_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "KnownSignInAddress_lastSeenAt_idx" ON "KnownSignInAddress"("lastSeenAt");
