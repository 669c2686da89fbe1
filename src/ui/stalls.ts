/**
 * The steps a run (or a speed measurement) waits on, as data: what each is called, how long it may
 * go without any sign of progress before the page says it is stuck, and what to try then.
 */
export type StepId = 'worker' | 'repository' | 'download' | 'load' | 'data' | 'first-question' | 'eval' | 'calibration';

export interface Step {
  /** "while …" */
  doing: string;
  /** Seconds without progress (no event from the worker) before the page says the step is stuck. */
  limit: number;
  /** "Try: …" */
  advice: string;
}

export const STEPS: Record<StepId, Step> = {
  worker: {
    doing: 'starting the evaluation worker',
    limit: 30,
    advice: 'reloading the page; if it happens again, another browser',
  },
  repository: {
    doing: 'checking the model repository on the hub',
    limit: 45,
    advice: 'checking your connection and the hub address (?hub=), then Stop and Resume',
  },
  download: {
    doing: 'downloading the model (no bytes are arriving)',
    limit: 60,
    advice: 'Stop, then Resume: the download continues from the bytes already kept',
  },
  load: {
    doing: 'starting ONNX Runtime and loading the model',
    limit: 120,
    advice: 'a smaller dtype (q8 or q4), the other device (WASM or WebGPU), or closing other tabs to free memory',
  },
  data: {
    doing: 'loading the questions',
    limit: 60,
    advice: 'checking your connection and the hub address, then Stop and Resume',
  },
  'first-question': {
    doing: 'scoring the first question',
    limit: 120,
    advice: 'WASM instead of WebGPU, a smaller dtype, or fewer shots',
  },
  eval: {
    doing: 'scoring questions',
    limit: 180,
    advice: 'Stop, then Resume (on another device or dtype if this one is stuck)',
  },
  calibration: {
    doing: 'measuring the speed of the first questions',
    limit: 120,
    advice: 'reloading the page and starting the run without a measurement, or another dtype or device',
  },
};

/** `?stallseconds=N` (tests): every step's limit is N seconds. */
export function stepLimit(step: StepId, override = new URLSearchParams(location.search).get('stallseconds')): number {
  const n = Number(override);
  return override && Number.isFinite(n) && n > 0 ? n : STEPS[step].limit;
}
