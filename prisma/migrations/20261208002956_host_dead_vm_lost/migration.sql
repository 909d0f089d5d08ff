-- AlterEnum
ALTER TYPE "HostState" ADD VALUE 'Dead';

-- AlterEnum
ALTER TYPE "VmState" ADD VALUE 'Lost';
