import {
  applicableRewrites,
  rewriteModel,
  type RewriteName,
  type RewriteOutcome,
  type RewriteWanted,
} from './graphRewrites.ts';
import { OnnxModelEditor, type ExternalFiles, type GraphSummary } from './onnxGraph.ts';

/*
 * transformers.js creates ONNX Runtime sessions itself, from bytes (browser) or a file path
 * (Node). To rewrite a graph at load time, the platform layer hands us ONNX Runtime's
 * InferenceSession class once (the same module instance transformers.js uses) and we wrap its
 * create(); the wrapper only acts while CausalLM.load() is inside withRewrites().
 */

type Create = (model: unknown, options?: unknown) => Promise<unknown>;
interface SessionClass {
  create: Create;
}

interface ActiveLoad {
  want: RewriteWanted;
  applied: Set<RewriteName>;
  notes: string[];
}

let active: ActiveLoad | null = null;
let weightsOutside = false;
let installed = false;
const HOOKED = Symbol.for('pagebench.sessionRewrites');

/** How a platform reads a model given as a file path (Node). */
export interface PathReader {
  read(path: string): Promise<Uint8Array>;
  /** The graph's structure without reading its weights. */
  summarize(path: string): Promise<GraphSummary>;
}

/**
 * Wraps `InferenceSession.create`; `paths` lets it handle models given as file paths (Node).
 * `externalizeWeights` (the browser) hands ONNX Runtime Web a model given as bytes as a small graph
 * whose weights are external data in those same bytes (withWeightsOutside).
 */
export function installSessionRewrites(cls: SessionClass, paths?: PathReader, externalizeWeights = false): void {
  const marked = cls as SessionClass & { [HOOKED]?: boolean };
  if (marked[HOOKED]) {
    installed = true;
    weightsOutside = externalizeWeights;
    return;
  }
  weightsOutside = externalizeWeights;
  const plain = cls.create.bind(cls);
  const original: Create = (model, options) =>
    weightsOutside ? plain(...withWeightsOutside(model, options)) : plain(model, options);
  cls.create = async (model: unknown, options?: unknown) => {
    const load = active;
    const session = await createInLoad(model, options, load);
    if (load && weightsOutside) release(model);
    return session;
  };
  const createInLoad = async (model: unknown, options: unknown, load: ActiveLoad | null) => {
    if (!load || !Object.values(load.want).some(Boolean)) return original(model, options);
    // The browser rewrites the graph with its weights already outside, in the model's own bytes:
    // no rewritten copy of the weights exists beside them.
    const apart = weightsOutside ? weightsApart(model, options) : null;
    const [graph, graphOptions] = apart ? [apart.graph, apart.options] : [model, options];
    const createAsIs = () => (apart ? plain(graph, graphOptions) : original(model, options));
    let out: RewriteOutcome;
    try {
      // Read (Node) and rewrite in a helper so the read bytes are garbage once it returns.
      const rewritten = await readAndRewrite(graph, graphOptions, load, paths, apart?.files);
      if (!rewritten) return createAsIs();
      out = rewritten;
    } catch {
      return createAsIs(); // not a graph we can read: ONNX Runtime reports it
    }
    load.notes.push(...out.skipped);
    if (out.applied.length === 0) return createAsIs();
    try {
      const session = await original(out.bytes, graphOptions);
      if (weightsOutside) release(out.bytes);
      for (const a of out.applied) load.applied.add(a);
      return session;
    } catch (e) {
      load.notes.push(
        `graph rewrites: the rewritten graph did not load (${String(e).split('\n')[0]}); loaded as exported`,
      );
      return createAsIs();
    }
  };
  marked[HOOKED] = true;
  installed = true;
}

/**
 * Frees a model's bytes once a session was created from them (the browser, inside a model load,
 * where transformers.js does not read them again). The session holds its own copy of every
 * weight; unreferenced, the bytes would still stay allocated until V8's next major collection,
 * which in a traced load had not come by the end of scoring: a model-sized block held for
 * nothing. Detaching frees it now.
 */
function release(bytes: unknown): void {
  if (!(bytes instanceof Uint8Array) || !(bytes.buffer instanceof ArrayBuffer)) return;
  if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) return; // a view of something larger
  (bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer?.(0);
}

async function readAndRewrite(
  model: unknown,
  options: unknown,
  load: ActiveLoad,
  paths?: PathReader,
  files?: ExternalFiles,
): Promise<RewriteOutcome | null> {
  if (model instanceof Uint8Array) return rewriteModel(model, load.want, files);
  if (typeof model !== 'string' || !paths) return null;
  // Read the whole file only when a rewrite applies (the read is one more copy of the model).
  const summary = await paths.summarize(model);
  if (applicableRewrites(summary, load.want).length === 0) return null;
  if (summary.hasExternalData && !hasExternalDataOption(options)) {
    // ONNX Runtime finds external data files next to the path; bytes cannot bring them along.
    load.notes.push('graph rewrites: not applied to a model with external data loaded from a path');
    return null;
  }
  return rewriteModel(await paths.read(model), load.want);
}

function hasExternalDataOption(options: unknown): boolean {
  return Boolean((options as { externalData?: unknown } | undefined)?.externalData);
}

/** Runs `load` with the wanted rewrites active; reports which were applied. */
export async function withRewrites<T>(
  want: RewriteWanted,
  load: () => Promise<T>,
): Promise<{ value: T; applied: RewriteName[]; notes: string[] }> {
  if (!installed) return { value: await load(), applied: [], notes: ['graph rewrites: not available here'] };
  if (active) throw new Error('internal: two model loads at once');
  active = { want, applied: new Set(), notes: [] };
  try {
    const value = await load();
    return { value, applied: [...active.applied], notes: active.notes };
  } finally {
    active = null;
  }
}

const WEIGHTS_FILE = 'pagebench-weights.bin';
const EXTERNAL_MIN_BYTES = 1024;

/**
 * ONNX Runtime Web copies a model's bytes into its heap, parses them (a second copy of every
 * weight, in the protobuf) and then builds the tensors (a third). Given a graph whose weights are
 * external data, it copies each weight once, from the JavaScript bytes straight into its tensor.
 * The numbers are the same: only where the bytes are read from changes.
 */
function withWeightsOutside(model: unknown, options: unknown): [unknown, unknown] {
  const apart = weightsApart(model, options);
  return apart ? [apart.graph, apart.options] : [model, options];
}

/** The model as a small graph whose weights point into its own bytes, or null when not applicable. */
function weightsApart(
  model: unknown,
  options: unknown,
): { graph: Uint8Array; options: unknown; files: ExternalFiles } | null {
  if (!(model instanceof Uint8Array) || hasExternalDataOption(options)) return null;
  try {
    const g = new OnnxModelEditor(model);
    if (g.hasExternalData || g.externalizeInitializers(WEIGHTS_FILE, EXTERNAL_MIN_BYTES) === 0) return null;
    const externalData = [{ path: WEIGHTS_FILE, data: model }];
    return {
      graph: g.toBytes(),
      options: { ...(options as object), externalData },
      files: new Map([[WEIGHTS_FILE, model]]),
    };
  } catch {
    return null; // not a graph we can read: ONNX Runtime reports it
  }
}
