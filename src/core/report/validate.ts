import Ajv from 'ajv';
import resultsSchema from '../../../schema/results.schema.json';
import sampleSchema from '../../../schema/sample.schema.json';
import studySchema from '../../../schema/study.schema.json';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const checkResults = ajv.compile(resultsSchema);
const checkSample = ajv.compile(sampleSchema);
const checkStudy = ajv.compile(studySchema);

function fail(what: string, errors: typeof checkResults.errors): never {
  const msg = (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
  throw new Error(`${what} does not match its schema: ${msg}`);
}

/** Throws naming the first schema violations; a results.json that fails is never written. */
export function validateResults(results: unknown): void {
  if (!checkResults(results)) fail('results.json', checkResults.errors);
}

export function validateSample(sample: unknown): void {
  if (!checkSample(sample)) fail('sample', checkSample.errors);
}

export function validateStudy(study: unknown): void {
  if (!checkStudy(study)) fail('study.json', checkStudy.errors);
}
