import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { installSessionRewrites } from '../core/runtime/sessionRewrites.ts';

/**
 * Lets CausalLM.load() rewrite graphs in Node: onnxruntime-node is the module instance
 * transformers.js creates its sessions with.
 */
installSessionRewrites(ort.InferenceSession as never, async (path) => new Uint8Array(await readFile(path)));
