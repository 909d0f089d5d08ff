/*
  Warnings:

  - A unique constraint covering the columns `[userId,name]` on the table `SshKey` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "sealKey" TEXT;

-- CreateTable
CREATE TABLE "PasswordReveal" (
    "id" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "jobId" UUID NOT NULL,
    "guestUser" TEXT NOT NULL,
    "sealed" JSONB NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PasswordReveal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PasswordReveal_jobId_key" ON "PasswordReveal"("jobId");

-- CreateIndex
CREATE INDEX "PasswordReveal_expiresAt_idx" ON "PasswordReveal"("expiresAt");

-- CreateIndex
CREATE INDEX "PasswordReveal_vmId_idx" ON "PasswordReveal"("vmId");

-- CreateIndex
CREATE UNIQUE INDEX "SshKey_userId_name_key" ON "SshKey"("userId", "name");

-- AddForeignKey
ALTER TABLE "PasswordReveal" ADD CONSTRAINT "PasswordReveal_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PasswordReveal" ADD CONSTRAINT "PasswordReveal_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
