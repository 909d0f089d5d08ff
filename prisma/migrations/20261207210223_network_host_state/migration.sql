-- CreateEnum
CREATE TYPE "NetworkHostState" AS ENUM ('Pending', 'Up', 'Unhealthy');

-- AlterTable
ALTER TABLE "NetworkHost" ADD COLUMN     "state" "NetworkHostState" NOT NULL DEFAULT 'Pending',
ADD COLUMN     "stateReason" TEXT;
