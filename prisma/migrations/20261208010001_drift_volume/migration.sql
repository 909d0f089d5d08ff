-- AlterEnum
ALTER TYPE "DriftKind" ADD VALUE 'Volume';

-- AlterTable
ALTER TABLE "DriftItem" ADD COLUMN     "pool" TEXT;
