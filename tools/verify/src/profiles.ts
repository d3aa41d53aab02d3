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
  readonly seed: number;
}

/** CI's short version (every change). */
export const QUICK: Profile = { name: 'quick', histories: 2, faultKinds: 2, faultRate: 0.2, kills: 2, crashRows: 200, seed: 20_261_130 };
/** The full version (figures for the closing note). */
export const FULL: Profile = { name: 'full', histories: 25, faultKinds: 6, faultRate: 0.2, kills: 20, crashRows: 300, seed: 20_261_130 };

/** The fault kinds a destination/mode pair gets under a profile (rotating, so the quick run still covers every kind). */
export function faultKindsFor(all: readonly FaultKind[], count: number, offset: number): FaultKind[] {
  return Array.from({ length: Math.min(count, all.length) }, (_, i) => all[(offset + i) % all.length] as FaultKind);
}
