-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "memMiBFree" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Host_state_memMiBFree_name_idx" ON "Host"("state", "memMiBFree", "name");

-- Placement's ranking key follows the host's memory, overcommit and reservations, whoever writes
-- them (reservations, inventory, admins, raw SQL): a trigger keeps it, Prisma never writes it.
CREATE FUNCTION "carve_host_mem_free"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."memMiBFree" := floor(NEW."memoryMiB" * NEW."memOvercommit") - NEW."memMiBAllocated";
  RETURN NEW;
END
$$;

CREATE TRIGGER "Host_memMiBFree"
  BEFORE INSERT OR UPDATE OF "memoryMiB", "memOvercommit", "memMiBAllocated", "memMiBFree" ON "Host"
  FOR EACH ROW EXECUTE FUNCTION "carve_host_mem_free"();

UPDATE "Host" SET "memMiBFree" = floor("memoryMiB" * "memOvercommit") - "memMiBAllocated";
