import { defaultCountryOf, type FacebookConfig } from '../config';
import type { NormaliseOptions } from './normalise-value';

/** Normalisation options for a run's config (the current UTC year bounds DOBY). */
export function normaliseOptionsOf(config: FacebookConfig, now = new Date()): NormaliseOptions {
  return { defaultCountry: defaultCountryOf(config), currentYear: now.getUTCFullYear() };
}
