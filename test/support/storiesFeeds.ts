import * as ort from 'onnxruntime-node';

/**
 * onnxruntime-node inputs for one full pass of stories260K (5 layers, 4 KV heads of 8) over
 * `ids` with an empty cache: the plain reference computation, no engine code involved.
 */
export function storiesFeeds(ids: number[]): Record<string, ort.Tensor> {
  const L = ids.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, L]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(L).fill(1n), [1, L]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(i))), [1, L]),
  };
  for (let layer = 0; layer < 5; layer++)
    for (const kv of ['key', 'value'])
      feeds[`past_key_values.${layer}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, 4, 0, 8]);
  return feeds;
}
