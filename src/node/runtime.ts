import { open, readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { env as transformersEnv } from '@huggingface/transformers';
import { summarizeModel } from '../core/runtime/onnxGraph.ts';
import { installSessionRewrites } from '../core/runtime/sessionRewrites.ts';

/**
 * Lets CausalLM.load() rewrite graphs in Node: onnxruntime-node is the module instance
 * transformers.js creates its sessions with. A Buffer is a Uint8Array: no copy.
 */
installSessionRewrites(ort.InferenceSession as never, {
  read: (path) => readFile(path),
  async summarize(path) {
    const file = await open(path);
    try {
      const { size } = await file.stat();
      // Reads go forward in small steps (tags, node payloads) with jumps over weights: a 64 KB window.
      let windowStart = -1;
      let window = Buffer.alloc(0);
      return await summarizeModel(async (pos, len) => {
        if (pos < windowStart || pos + len > windowStart + window.length) {
          const buf = Buffer.alloc(Math.max(len, 1 << 16));
          const { bytesRead } = await file.read(buf, 0, buf.length, pos);
          windowStart = pos;
          window = buf.subarray(0, bytesRead);
        }
        return window.subarray(pos - windowStart, pos - windowStart + len);
      }, size);
    } finally {
      await file.close();
    }
  },
});

/** This process's runtime, for the fingerprint (report/fingerprint.ts). */
export function nodeRuntimeInfo(): { runtime: string; onnxruntime: string; transformers_js: string } {
  return {
    runtime: `node ${process.versions.node}`,
    onnxruntime: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}`,
    transformers_js: transformersEnv.version,
  };
}
