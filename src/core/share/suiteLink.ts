import { deflateSync } from 'fflate';
import { Validator, type Schema } from '@cfworker/json-schema';
import schema from '../../../schema/suite-share.schema.json';
import { SUITES, taskFor, type Fidelity, type SuiteSummary } from '../suites.ts';
import { fromBase64Url, toBase64Url } from './bits.ts';
import { checkShape, inflateCapped, LIMITS, payloadText, ShareError } from './payload.ts';

/**
 * A suite run carried by a link (`#/share/suite1.<payload>`): its columns (each task's number, n,
 * metric key and shots), the fidelity, whether a limit made it partial, and the model and
 * environment it ran on. The average is recomputed from the columns on opening, never read.
 */
export const SUITE_PREFIX = 'suite1.';

export interface SuitePayload {
  v: 1;
  suite: string;
  fidelity: Fidelity;
  partial: boolean;
  columns: SuiteSummary['columns'];
  model: string;
  dtype: string;
  device: string;
  engine_version: string;
  date: string;
}

const validator = new Validator(schema as unknown as Schema, '7', false);

export function isSuiteLink(linkOrPayload: string): boolean {
  return payloadText(linkOrPayload).startsWith(SUITE_PREFIX);
}

/** What a link says of the model: a hub id, or a model folder's name (never the sender's file-system path). */
export function linkedModelName(config: { model: string; model_source?: string; model_revision?: string }): string {
  if (config.model_source !== 'local' && config.model_revision !== 'local') return config.model;
  return `${config.model.split(/[\\/]/).filter(Boolean).at(-1) ?? 'model'} (a model folder on the sender's device)`;
}

export function suitePayload(
  s: SuiteSummary,
  facts: Pick<SuitePayload, 'model' | 'dtype' | 'device' | 'engine_version' | 'date'>,
): SuitePayload {
  return { v: 1, suite: s.suite, fidelity: s.fidelity, partial: s.partial, columns: s.columns, ...facts };
}

export function encodeSuite(p: SuitePayload): string {
  return SUITE_PREFIX + toBase64Url(deflateSync(new TextEncoder().encode(JSON.stringify(p)), { level: 9 }));
}

export function suiteLink(baseUrl: string, p: SuitePayload): string {
  return `${baseUrl.replace(/#.*$/, '')}#/share/${encodeSuite(p)}`;
}

/**
 * A suite link's content, checked: size caps, schema, a known suite whose tasks, shots and keys
 * (for the fidelity) are the columns'. Throws ShareError naming the problem.
 */
export function decodeSuite(linkOrPayload: string): { payload: SuitePayload; summary: SuiteSummary } {
  const text = payloadText(String(linkOrPayload));
  if (text.length > LIMITS.linkChars) throw new ShareError(`the link is longer than ${LIMITS.linkChars} characters`);
  if (!text.startsWith(SUITE_PREFIX)) throw new ShareError('this is not a pagebench suite link (no mark "suite1.")');
  let value: unknown;
  try {
    const json = inflateCapped(fromBase64Url(text.slice(SUITE_PREFIX.length)));
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    if (e instanceof ShareError) throw e;
    throw new ShareError('the link is damaged (not a compressed JSON payload)');
  }
  checkShape(value);
  const check = validator.validate(value);
  if (!check.valid) {
    const e = check.errors.at(-1);
    throw new ShareError(
      `the link's suite is malformed: ${e?.instanceLocation.replace(/^#/, '') || '/'} ${e?.error ?? ''}`.trim(),
    );
  }
  const p = value as SuitePayload;
  const suite = SUITES[p.suite];
  if (!suite) throw new ShareError(`the link names suite "${p.suite}", which this pagebench does not know`);
  if (p.columns.length !== suite.tasks.length)
    throw new ShareError(`the link has ${p.columns.length} columns; ${suite.label} has ${suite.tasks.length}`);
  suite.tasks.forEach((t, i) => {
    const c = p.columns[i]!;
    const { key } = taskFor(t, p.fidelity);
    if (c.benchmark !== t.benchmark || c.shots !== t.shots || c.key !== key || c.column !== t.column)
      throw new ShareError(
        `the link's column ${i + 1} is ${c.benchmark} ${c.shots}-shot ${c.key}; ${suite.label} (${p.fidelity}) has ${t.benchmark} ${t.shots}-shot ${key} there`,
      );
  });
  return {
    payload: p,
    summary: {
      suite: suite.id,
      label: suite.label,
      fidelity: p.fidelity,
      columns: p.columns,
      average: p.columns.reduce((a, c) => a + c.value, 0) / p.columns.length,
      partial: p.partial,
    },
  };
}
