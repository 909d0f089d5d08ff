-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "loginUser" TEXT NOT NULL DEFAULT 'root';
