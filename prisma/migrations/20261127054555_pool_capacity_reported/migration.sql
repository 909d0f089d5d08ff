-- AlterTable
ALTER TABLE "StoragePool" ADD COLUMN     "capacityReportedAt" TIMESTAMP(3);
