/*
  Warnings:

  - A unique constraint covering the columns `[liveName]` on the table `StoragePool` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterEnum
ALTER TYPE "CopyState" ADD VALUE 'Missing';

-- DropIndex
DROP INDEX "StoragePool_name_key";

-- AlterTable
ALTER TABLE "StoragePool" ADD COLUMN     "liveName" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "StoragePool_liveName_key" ON "StoragePool"("liveName");

-- CreateIndex
CREATE INDEX "StoragePool_name_idx" ON "StoragePool"("name");

-- Pools that are not Removed keep their name as their live name (issue 19: a removed pool's name can be reused).
UPDATE "StoragePool" SET "liveName" = "name" WHERE "state" <> 'Removed';
