/**
 * A step at which the worker stops forever (`?hang=<step>`, for the tests of the page's stall
 * messages: worker, repository, load, data, first-question, calibration); none normally.
 */
export class Hang {
  step: string | null = null;

  at(step: string): Promise<void> {
    return this.step === step ? new Promise<void>(() => {}) : Promise.resolve();
  }
}
