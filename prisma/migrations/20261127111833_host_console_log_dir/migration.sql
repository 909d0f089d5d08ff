-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "consoleLogDir" TEXT;
