-- AlterTable
ALTER TABLE "RequestKey" ADD COLUMN     "requestHash" TEXT;
