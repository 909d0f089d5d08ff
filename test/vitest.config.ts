import { carveTestConfig } from '../vitest.shared.ts';

// Real-hypervisor suites boot guests under TCG on two cores: give each test room, and run files
// one at a time so two suites never race for the same libvirtd start-up or the CPU.
export default carveTestConfig(import.meta.dirname, {
  include: ['**/*.test.ts'],
  exclude: ['**/node_modules/**'],
  testTimeout: 120_000,
  fileParallelism: false,
});
