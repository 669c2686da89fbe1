import type { Sample } from '../../core/records.ts';
import { runSamples, type PagebenchDB, type RunRecord } from '../../storage/db.ts';
import { orderedSamples } from '../report.ts';

/** The samples of the run the results view shows, in evaluation order, and the explorer's position. */
export class ResultsState {
  samples = $state.raw<Sample[]>([]);
  runId = $state<string | null>(null);
  exploreSubject = $state('');
  exploreIdx = $state(0);
  /** all | wrong | confident-wrong | pred:<position> */
  exploreFilter = $state('all');

  constructor(private readonly db: PagebenchDB) {}

  async load(run: RunRecord): Promise<void> {
    const stored = await runSamples(this.db, run.id);
    this.samples = orderedSamples(run, stored);
    this.runId = run.id;
    this.exploreSubject = this.samples[0]?.subject ?? '';
    this.exploreIdx = 0;
  }
}
