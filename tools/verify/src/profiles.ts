import type { FaultKind } from '@syncmodes/connector-kit/emulator';

/** How much of each check a verification run does. */
export interface Profile {
  readonly name: 'quick' | 'full';
  /** Random histories per destination and mode. */
  readonly histories: number;
  /** Fault kinds per destination and mode (the matrix rotates through them). */
  readonly faultKinds: number;
  /** Fault rate for the matrix (share of requests). */
  readonly faultRate: number;
  /** SIGKILLs that must land mid-sync, per destination. */
  readonly kills: number;
  readonly crashRows: number;
  /** Destinations whose sync is run twice at once (both orders), chosen by the seed; `Infinity`: all. */
  readonly concurrentTargets: number;
  /** Source rows of the concurrency check. */
  readonly concurrentRows: number;
  /** Histories with a failing state store, per destination and mode. */
  readonly stateFaultHistories: number;
  /** Histories of people moving between ids (destinations keyed by the source id), per destination and mode. */
  readonly peopleHistories: number;
  /** Source rows of each distributed scenario (three worker processes on Postgres). */
  readonly distributedRows: number;
  /** Everything random in the run follows it: the histories, fault points, kill points, which targets a quick run samples. */
  readonly seed: number;
}

/** CI's short version (every change). */
export const QUICK: Profile = { name: 'quick', histories: 2, faultKinds: 2, faultRate: 0.2, kills: 2, crashRows: 200, concurrentTargets: 2, concurrentRows: 40, stateFaultHistories: 1, peopleHistories: 4, distributedRows: 600, seed: 0 };
/** The full version (figures for the closing note). */
export const FULL: Profile = { name: 'full', histories: 25, faultKinds: 6, faultRate: 0.2, kills: 20, crashRows: 300, concurrentTargets: Infinity, concurrentRows: 200, stateFaultHistories: 6, peopleHistories: 40, distributedRows: 2_000, seed: 0 };

/** A new random seed (printed first, so the run can be replayed with `--seed`). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 30);
}

/** The profile with its seed. */
export function withSeed(profile: Profile, seed: number): Profile {
  return { ...profile, seed };
}

/** How to replay a run: the command line with its seed (and profile). */
export function replayCommand(profile: Profile, only?: readonly string[]): string {
  return `npm run verify -- --seed ${profile.seed}${profile.name === 'quick' ? ' --quick' : ''}${only?.length ? ` --only ${only.join(',')}` : ''}`;
}

/** The fault kinds a destination/mode pair gets under a profile (rotating, so the quick run still covers every kind). */
export function faultKindsFor(all: readonly FaultKind[], count: number, offset: number): FaultKind[] {
  return Array.from({ length: Math.min(count, all.length) }, (_, i) => all[(offset + i) % all.length] as FaultKind);
}
