/** The weights' number formats pagebench loads (onnx/model{suffix}.onnx, hubSizes.ts). */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

/** Where inference runs: onnxruntime-node's CPU (the CLI), or ONNX Runtime Web's WASM or WebGPU. */
export type Device = 'cpu' | 'wasm' | 'webgpu';
