-- AlterTable
ALTER TABLE "AuditEntry" ADD COLUMN     "requestId" TEXT,
ADD COLUMN     "slackTeam" TEXT,
ADD COLUMN     "targetName" TEXT;

-- CreateIndex
CREATE INDEX "AuditEntry_action_at_idx" ON "AuditEntry"("action", "at");
