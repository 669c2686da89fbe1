import type { RepoCheck } from '../../core/runtime/hubSizes.ts';
import { checkHubModel, dtypeDownloadBytes, offeredDtypes } from '../../core/runtime/hubSizes.ts';
import { noShaderF16 } from '../../core/runtime/shaderF16.ts';
import type { ModelSpec, RunRecord } from '../../storage/db.ts';
import type { Capabilities } from '../../web/protocol.ts';
import { chooseDevice } from '../device.ts';
import { DTYPES, NEEDS_F16, defaultDtype, dtypePreference, type ModelOption, type UiDtype } from '../presets.ts';
import type { SetupState } from './setup.svelte.ts';

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;
// Answers kept for the page's lifetime, so coming back to the setup does not ask again. Plain maps: an answer is copied into
// reactive state when it is read.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const repoChecks = new Map<string, RepoCheck>();

export interface ModelChoiceDeps {
  setup: SetupState;
  hubUrl: string;
  capabilities: () => Capabilities | null;
  runs: () => readonly RunRecord[];
  models: () => readonly ModelOption[];
}

/**
 * The model side of the setup: which model, checked on the hub before anything is downloaded
 * (exists, a transformers.js causal LM export, which ONNX files — dtypes — it has and their sizes),
 * the device `auto` resolves to, the batch size, and the dtype offered for them.
 */
export class ModelChoice {
  /** The repository check's answer for the current model (null while unknown). */
  repo = $state.raw<RepoCheck | null>(null);

  constructor(private readonly d: ModelChoiceDeps) {}

  get modelId(): string {
    const s = this.d.setup;
    return s.modelChoice === 'local' ? s.localId : (s.hubModelId ?? '');
  }
  get isLocal(): boolean {
    return this.modelId.startsWith('local/');
  }
  get autoDevice(): { device: 'wasm' | 'webgpu'; why: string } {
    return chooseDevice(this.d.capabilities(), this.d.runs(), this.modelId);
  }
  get device(): 'wasm' | 'webgpu' {
    return this.d.setup.device === 'auto' ? this.autoDevice.device : this.d.setup.device;
  }
  /** Questions per pass: WebGPU measures (auto) by default, WASM scores one at a time. */
  get batchSize(): number | 'auto' {
    const b = this.d.setup.batch;
    if (b === 'default') return this.device === 'webgpu' ? 'auto' : 1;
    return b === 'auto' ? 'auto' : Number(b);
  }
  get f16Problem(): string {
    const caps = this.d.capabilities();
    return this.device === 'webgpu' && caps && !caps.shaderF16 && NEEDS_F16.includes(this.d.setup.dtype)
      ? noShaderF16(this.d.setup.dtype)
      : '';
  }
  get option(): ModelOption | undefined {
    return this.d.models().find((p) => p.id === this.d.setup.modelChoice);
  }
  /** Start waits for the repository check: the dtype to download depends on it. */
  get checking(): boolean {
    return !this.isLocal && HUB_ID.test(this.modelId) && this.repo === null;
  }
  get preference(): UiDtype[] {
    return dtypePreference(this.device, !!this.d.capabilities()?.shaderF16);
  }
  get offered(): UiDtype[] | null {
    return this.repo?.ok ? offeredDtypes(this.repo.onnx, this.preference) : null;
  }
  get chosen(): UiDtype | null {
    return this.repo?.ok ? defaultDtype(this.repo.onnx, this.device, !!this.d.capabilities()?.shaderF16) : null;
  }
  get spec(): ModelSpec {
    return { id: this.modelId, hubUrl: this.d.hubUrl, dtype: this.d.setup.dtype, device: this.device };
  }

  /** The download size of a dtype: exact from the hub's listing, else the preset's estimate. */
  sizeOf(d: UiDtype): { mb: number | null; exact: boolean; offered: boolean } {
    if (this.repo?.ok) {
      const b = dtypeDownloadBytes(this.repo.onnx, d);
      return { mb: b === null ? null : Math.max(0.1, Math.round(b / 1e5) / 10), exact: true, offered: b !== null };
    }
    return { mb: this.option?.sizesMb?.[d] ?? null, exact: false, offered: true };
  }

  /** What is wrong with the model choice, in one sentence ('' when nothing is). */
  get problem(): string {
    const id = this.modelId;
    if (this.isLocal || !id) return '';
    if (!HUB_ID.test(id)) return `"${id}" is not a hub model id: use owner/name.`;
    if (this.repo?.ok === false) return this.repo.problem;
    if (this.offered && this.offered.length === 0)
      return `${id} has no ONNX weights this device can run (it offers ${DTYPES.filter((x) => this.sizeOf(x).offered).join(', ') || 'none'}; ${this.device} runs ${this.preference.join(', ')}).`;
    return '';
  }

  /**
   * Checks the current model on the hub (a remembered answer at once; otherwise after `delayMs`,
   * so typing an id does not ask for every prefix). Returns a cancel function.
   */
  check(delayMs = 300): () => void {
    const id = this.modelId;
    const key = `${this.d.hubUrl} ${id}`;
    const hit = repoChecks.get(key);
    this.repo = hit ?? null;
    if (hit || this.isLocal || !HUB_ID.test(id)) return () => {};
    let cancelled = false;
    const timer = setTimeout(() => {
      void checkHubModel(this.d.hubUrl, id).then((r) => {
        if (r.ok !== null) repoChecks.set(key, r);
        if (!cancelled) this.repo = r;
      });
    }, delayMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }

  /** The dtype follows the repository and the device unless the user picked one the repo offers. */
  followRepository(): void {
    const o = this.offered;
    const c = this.chosen;
    const s = this.d.setup;
    if (o && c && (!s.dtypeTouched || !o.includes(s.dtype))) s.dtype = c;
  }

  /** A saved choice that is no longer offered falls back to the first model. */
  keepOffered(): void {
    const s = this.d.setup;
    const models = this.d.models();
    if (
      s.modelChoice !== 'custom' &&
      !(s.modelChoice === 'local' && s.localId) &&
      !models.some((m) => m.id === s.modelChoice)
    )
      s.modelChoice = models[0]?.id ?? 'custom';
  }
}
