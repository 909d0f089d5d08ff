-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "hostname" TEXT,
ADD COLUMN     "hypervisor" TEXT,
ADD COLUMN     "joinedAt" TIMESTAMP(3);
