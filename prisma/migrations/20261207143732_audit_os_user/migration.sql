-- AlterTable
ALTER TABLE "AuditEntry" ADD COLUMN     "osHost" TEXT,
ADD COLUMN     "osUser" TEXT;
