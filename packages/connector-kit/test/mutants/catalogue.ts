import { GROUP_MUTANTS } from './group-mutants';
import { HTTP_MUTANTS } from './http-mutants';
import { LOOKUP_MUTANTS } from './lookup-mutants';
import type { Mutant } from './mutant';
import { WRITE_MUTANTS } from './write-mutants';

/** Every deliberately broken variant of the tiny destination the conformance suite must catch. */
export const MUTANTS: readonly Mutant[] = [...HTTP_MUTANTS, ...LOOKUP_MUTANTS, ...WRITE_MUTANTS, ...GROUP_MUTANTS];
