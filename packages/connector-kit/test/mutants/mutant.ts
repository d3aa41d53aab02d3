import type { SyncMode } from '../../src/index';
import { defineDestination, type CodeInfo, type RecordVerbs } from '../../src/index';
import { tinyDestination, tinyError, tinyFetch, TINY_ERROR_CODES, type TinyAnswer, type TinyCall, type TinyConfig } from '../tiny/tiny-destination';
import type { TinyEmulatorOptions } from '../tiny/tiny-emulator';

type TinyDestination = typeof tinyDestination;
type Verbs = RecordVerbs<TinyConfig, TinyConfig>;

/** A deliberately broken variant of the tiny destination, and the conformance check that must catch it. */
export interface Mutant {
  /** Short kebab-case name. */
  readonly name: string;
  /** What it breaks, in the words of a bug report. */
  readonly breaks: string;
  /** The check (`ConformanceCheck.id`) that catches it, and the modes where it does (default: every mode). */
  readonly caughtBy: { readonly check: string; readonly modes?: readonly SyncMode[] | undefined };
  readonly destination: TinyDestination;
  /** The emulator's rules for this mutant (e.g. duplicate keys allowed, so that a resent create shows). */
  readonly emulator?: TinyEmulatorOptions | undefined;
}

/** What a mutant changes in the tiny destination. */
export interface Change {
  readonly verbs?: Partial<Verbs> | undefined;
  readonly groups?: Partial<NonNullable<Verbs['groups']>> | undefined;
  readonly definition?: Partial<Pick<TinyDestination, 'limits' | 'matchKey'>> | undefined;
  /** Codes it declares besides the tiny destination's (so that only the planted bug is wrong). */
  readonly codes?: Readonly<Record<string, CodeInfo>> | undefined;
}

/** The tiny destination with `change` applied. */
export function mutate(change: Change): TinyDestination {
  const verbs = tinyDestination.verbs;
  return defineDestination({
    ...tinyDestination,
    ...change.definition,
    errorCodes: { ...TINY_ERROR_CODES, ...change.codes },
    verbs: { ...verbs, ...change.verbs, groups: { ...(verbs.groups as NonNullable<Verbs['groups']>), ...change.groups } },
  });
}

/**
 * A call whose answers `map` sees first: it returns an error to throw, a body to answer as
 * a success, or undefined to keep the real ladder (`tinyError`).
 */
export function callMapping(map: (answer: TinyAnswer, method: string) => Error | TinyAnswer['body'] | undefined): TinyCall {
  return async (config, method, path, body) => {
    const answer = await tinyFetch(config, method, path, body);
    const mapped = map(answer, method);
    if (mapped instanceof Error) throw mapped;
    if (mapped !== undefined) return mapped;
    const error = tinyError(answer);
    if (error) throw error;
    return answer.body;
  };
}

/** A record-scoped code a mutant declares. */
export const declared = (meaning: string): CodeInfo => ({ scope: 'record', retryable: false, meaning, action: 'Read the message.' });
