/**
 * Undo steps registered as a test creates things, run newest first (domain before its disk
 * before its pool) whether the test passed or failed. Every step runs even if an earlier one
 * throws; the failures are reported together.
 */
export class CleanupStack {
  private readonly steps: Array<{ label: string; fn: () => Promise<unknown> }> = [];

  push(label: string, fn: () => Promise<unknown>): void {
    this.steps.push({ label, fn });
  }

  async run(): Promise<void> {
    const failures: string[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.fn();
      } catch (error) {
        failures.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`Cleanup failed:\n${failures.join('\n')}`);
  }
}
