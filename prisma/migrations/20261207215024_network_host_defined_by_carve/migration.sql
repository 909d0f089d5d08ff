-- AlterTable
ALTER TABLE "NetworkHost" ADD COLUMN     "definedByCarve" BOOLEAN NOT NULL DEFAULT false;
