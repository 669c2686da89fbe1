import * as Comlink from 'comlink';
import type { Capabilities, WorkerApi } from '../../workers/evalWorker.ts';

/**
 * The page's handle on the evaluation worker. Stop terminates the worker (an ONNX Runtime call
 * cannot be aborted) and starts a fresh one.
 */
export class WorkerClient {
  private worker!: Worker;
  api!: Comlink.Remote<WorkerApi>;
  capabilities: Capabilities | null = null;
  busy = false;

  /** Called when the worker fails outside any call (an uncaught error, out of memory): the run in it is gone. */
  onCrash: ((message: string) => void) | null = null;

  constructor(private readonly threads?: number) {}

  async start(): Promise<Capabilities> {
    this.worker = new Worker(new URL('../../workers/evalWorker.ts', import.meta.url), { type: 'module' });
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.onCrash?.(e.message || 'the evaluation worker stopped');
    });
    this.api = Comlink.wrap<WorkerApi>(this.worker);
    this.capabilities = await this.api.init(new URL('ort/', document.baseURI).href, this.threads);
    this.busy = false;
    return this.capabilities;
  }

  async stop(): Promise<void> {
    this.worker.terminate();
    await this.start();
  }
}
