-- CreateIndex
CREATE INDEX "Vm_createdAt_id_idx" ON "Vm"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Volume_ownerId_idx" ON "Volume"("ownerId");
