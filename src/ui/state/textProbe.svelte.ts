import * as Comlink from 'comlink';
import type { TextProbe } from '../../core/inspect/textProbe.ts';
import type { BosPolicy } from '../../core/scoring/requests.ts';
import type { ModelSpec } from '../../storage/db.ts';
import { explainFailure } from '../../web/failures.ts';
import type { WorkerEvent } from '../../web/protocol.ts';
import type { WorkerClient } from '../client.ts';
import type { UiDtype } from '../presets.ts';
import { DEFAULT_SETUP, SetupState } from './setup.svelte.ts';

const KEY = 'pagebench.nextToken';
export const DEFAULT_PROBE_TEXT = 'Once upon a time, there was a little girl named Lily. She loved to play';

/** One model's reading of the text (or why it has none). */
export interface ProbeColumn {
  spec: ModelSpec;
  probe: TextProbe | null;
  error: string;
}

/**
 * The Next token view's state: the text (kept across reloads), how many next tokens to list, and
 * each model's reading of the text, computed in the worker one model after the other.
 */
export class TextProbeState {
  text = $state(DEFAULT_PROBE_TEXT);
  topK = $state(10);
  columns = $state.raw<ProbeColumn[]>([]);
  running = $state(false);
  status = $state('');
  /** The text the columns were computed for (they are stale once it changes). */
  readFor = $state('');
  /** A second model beside the setup's ('' model: none). */
  readonly second = new SetupState({ ...DEFAULT_SETUP, modelChoice: '' });

  constructor(private readonly storage: Storage = localStorage) {
    try {
      const saved = JSON.parse(storage.getItem(KEY) ?? '{}') as Record<string, unknown>;
      if (typeof saved.text === 'string') this.text = saved.text;
      if (typeof saved.topK === 'number' && saved.topK >= 1 && saved.topK <= 50) this.topK = saved.topK;
      if (typeof saved.second === 'string') this.second.modelChoice = saved.second;
      if (typeof saved.secondCustom === 'string') this.second.customId = saved.secondCustom;
      if (typeof saved.secondDtype === 'string') this.second.dtype = saved.secondDtype as UiDtype;
    } catch {
      // an unreadable saved text is ignored
    }
  }

  save(): void {
    this.storage.setItem(
      KEY,
      JSON.stringify({
        text: this.text,
        topK: this.topK,
        second: this.second.modelChoice,
        secondCustom: this.second.customId,
        secondDtype: this.second.dtype,
      }),
    );
  }

  get problem(): string {
    return this.text.length === 0 ? 'Type or paste a text first.' : '';
  }

  private onEvent(e: WorkerEvent): void {
    if (e.type === 'phase' || e.type === 'note') this.status = `${e.message}…`;
    else if (e.type === 'file' && e.progress.total > 0)
      this.status = `downloading ${e.progress.file}: ${Math.floor((100 * e.progress.loaded) / e.progress.total)}%`;
  }

  async read(client: WorkerClient, specs: ModelSpec[], bos: BosPolicy, lmEval: string): Promise<void> {
    if (this.running || this.problem) return;
    this.running = true;
    this.save();
    const text = this.text;
    const out: ProbeColumn[] = [];
    try {
      for (const spec of specs) {
        this.status = `loading ${spec.id} (${spec.dtype}, ${spec.device})…`;
        try {
          const probe = await client.api.probeText(
            spec,
            text,
            { bos, lmEval, topK: this.topK },
            Comlink.proxy((e: WorkerEvent) => this.onEvent(e)),
          );
          out.push({ spec, probe, error: '' });
        } catch (e) {
          out.push({ spec, probe: null, error: explainFailure(e) });
        }
        this.columns = [...out];
      }
      this.readFor = text;
    } finally {
      this.running = false;
      this.status = '';
    }
  }
}
