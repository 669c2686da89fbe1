import { DEFAULT_HUB_URL } from '../core/benchmarks/mmlu/source.ts';

/** The hub the page downloads from: ?hub=<url>, else the one set under Hub URL (remembered), else huggingface.co. */
export function configuredHub(): string {
  const fromUrl = new URLSearchParams(location.search).get('hub');
  const candidate = fromUrl ?? localStorage.getItem('pagebench.hub') ?? DEFAULT_HUB_URL;
  try {
    return new URL(candidate).href.replace(/\/+$/, '');
  } catch {
    return DEFAULT_HUB_URL;
  }
}
