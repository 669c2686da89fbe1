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

  constructor(private readonly threads?: number) {}

  async start(): Promise<Capabilities> {
    this.worker = new Worker(new URL('../../workers/evalWorker.ts', import.meta.url), { type: 'module' });
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
