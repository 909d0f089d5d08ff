/*
  Warnings:

  - A unique constraint covering the columns `[activeJobId]` on the table `Volume` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "DiskOffering" ADD COLUMN     "maxSizeGiB" INTEGER,
ADD COLUMN     "minSizeGiB" INTEGER;

-- AlterTable
ALTER TABLE "Volume" ADD COLUMN     "activeJobId" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "Volume_activeJobId_key" ON "Volume"("activeJobId");
