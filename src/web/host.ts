import type { PagebenchDB } from '../storage/db.ts';
import { GpuWatch } from './gpu.ts';
import { Hang } from './hang.ts';
import { ModelStore } from './modelStore.ts';

/** What the worker's executors share: the store, the model, the GPU's state, threads, the test hang switch. */
export class WorkerHost {
  readonly gpu = new GpuWatch();
  readonly hang = new Hang();
  readonly models: ModelStore;

  constructor(
    readonly db: PagebenchDB,
    readonly threads: number,
  ) {
    this.models = new ModelStore(db, this.gpu, this.hang);
  }
}
