import { hubSource } from '../core/benchmarks/mmlu/source.ts';
import { hubRowSource } from '../core/benchmarks/rows.ts';
import type { DataSources } from '../core/benchmarks/types.ts';
import { localDataSource, localRowSource } from './localData.ts';

/** --data (and --fewshot-data for MMLU-Redux's MMLU shots): a folder in the hub's layouts, or "hub". */
export function dataSources(arg: string, fewshotArg: string, hubUrl: string): DataSources {
  return {
    mmlu: fewshotArg === 'hub' ? hubSource({ baseUrl: hubUrl }) : localDataSource(fewshotArg),
    rows: arg === 'hub' ? hubRowSource(hubUrl) : localRowSource(arg),
  };
}

/** A quiz's questions come with it (benchmarks/quiz): its run reads no dataset. */
export function quizSources(file: string): DataSources {
  const none = (): never => {
    throw new Error(`a quiz run reads its questions from ${file}, not from a dataset`);
  };
  const description = `quiz file ${file}`;
  return { mmlu: { description, fetchFile: none }, rows: { description, files: none } };
}
