-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "consoleAddress" TEXT;
