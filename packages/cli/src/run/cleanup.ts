/**
 * Things to undo at the end of a command, in reverse order of creation (the emulator is
 * stopped after the state is closed, a temporary copy of stdin is removed…). Every step
 * runs even when an earlier one fails; failures of cleanup steps are ignored, so cleanup
 * never hides the error that ended the command.
 */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  /** Registers `step` to run at the end. */
  defer(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every step, last registered first. */
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Cleanup must not replace the command's own outcome.
      }
    }
  }
}
