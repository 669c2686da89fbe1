import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../core/util/suggest.ts';

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

/** node's parseArgs (strict), with unknown options answered by the nearest valid names. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, strict: true, options, allowPositionals });
  } catch (e) {
    const bad = /option '(-{1,2}[^']+)'/.exec((e as Error).message)?.[1];
    if ((e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && bad) {
      const names = Object.keys(options).map((k) => `--${k}`);
      throw new UsageError(`Unknown option '${bad}'${didYouMean(bad, names)}`);
    }
    throw new UsageError((e as Error).message.split('. ')[0]!);
  }
}

/** `v` if it is one of `allowed`, else a usage error naming them (and the nearest). */
export function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${v}"${didYouMean(v, allowed)}`);
  return v as T;
}
