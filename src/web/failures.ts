/**
 * One sentence for a failure a user can cause or meet: what is wrong and what to do. Messages the
 * engine already words for people (DataError, ModelLoadError, our own checks) pass through; the
 * browser's and libraries' raw errors are translated.
 */
export function explainFailure(e: unknown): string {
  const name = (e as { name?: string })?.name ?? '';
  const raw = String((e as Error)?.message ?? e).split('\n')[0]!;
  if (name === 'QuotaExceededError' || /quota ?exceeded|QuotaExceeded/i.test(raw))
    return "The browser's storage for this site is full: delete stored models or runs under Storage, or pick a smaller dtype, then start again (finished questions are kept).";
  if (/^(TypeError: )?(failed to fetch|network ?error|load failed|fetch failed)/i.test(raw))
    return 'The connection failed while downloading (the hub or mirror did not answer): check the connection or the hub URL and start again; nothing partial was kept.';
  if (/out of memory|memory access out of bounds|Array buffer allocation failed|RangeError: .*allocation/i.test(raw))
    return 'The browser ran out of memory for this model: pick a smaller dtype or model, or close other tabs, then resume (finished questions are kept).';
  return raw.replace(/^(Error|TypeError|ModelLoadError|DataError): /, '');
}
