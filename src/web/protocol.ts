/** What the evaluation worker tells the page, and what it answers: the worker protocol's records. */
import type { Progress } from '../core/records.ts';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
}

export type WorkerEvent =
  | { type: 'phase'; phase: 'start' | 'repository' | 'model' | 'load' | 'data' | 'eval'; message: string }
  | { type: 'file'; progress: FileProgress }
  /** Something the user should know about a download: resumed, restarted, evicted, waiting for another tab. */
  | { type: 'note'; message: string }
  | { type: 'progress'; progress: Progress; done: number; total: number }
  | { type: 'sample'; subject: string; docId: number; acc: number; variant?: string };

export type Emit = (e: WorkerEvent) => void;

/** The WebGPU adapter as the browser describes it (GPUAdapterInfo), and whether it is software. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  /** A CPU emulation (SwiftShader, llvmpipe, a fallback adapter): far slower than WASM. */
  software: boolean;
}

export interface Capabilities {
  webgpu: boolean;
  shaderF16: boolean;
  adapter: AdapterInfo | null;
  threads: number;
  crossOriginIsolated: boolean;
}

/** Timings of the first questions of a planned run on the chosen model and device. */
export interface Calibration {
  /** Seconds per question, in order (the first includes the subject's few-shot prefix). */
  questionSeconds: number[];
  loadSeconds: number;
}
