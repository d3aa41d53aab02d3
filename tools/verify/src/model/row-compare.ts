import type { PropertyValue } from '@syncmodes/connector-kit';
import type { ConformanceRecord } from '@syncmodes/connector-kit/testing';

/** Property values by name (a row's, or what a destination record holds). */
export type Values = Readonly<Record<string, PropertyValue>>;

const blank = (v: PropertyValue | undefined) => v === undefined || v === null || v === '';
/** Texts equal but for case and surrounding spaces are the same value (the kit's key-holder `same`). */
const text = (v: PropertyValue | undefined) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

/**
 * How the model compares a row's values with a record's, outside the match key: restated from
 * the kit's identity rules (named beside each method), so the two can disagree. `keyOf` tells
 * which properties make the key (a property is outside it when emptying it leaves the key as is).
 */
export class RowComparer {
  constructor(private readonly keyOf: (r: ConformanceRecord) => string | undefined) {}

  /** The key `row` would have with property `name` set to `value`. */
  private keyWith(row: ConformanceRecord, name: string, value: PropertyValue | undefined): string | undefined {
    return this.keyOf({ ...row, snapshot: { ...row.snapshot, properties: { ...row.snapshot.properties, [name]: value ?? null } } });
  }

  /** The non-empty values of `properties` outside the match key, each as name, type and value. */
  valuesOutsideKey(properties: Values): string[] {
    return this.outsideKey(properties).map((name) => JSON.stringify([name, typeof properties[name], String(properties[name])]));
  }

  /** The non-empty values of `properties` outside the match key, as one string (undefined for fewer than two): the kit's whole-row signature. */
  signature(properties: Values): string | undefined {
    const values = this.outsideKey(properties)
      .sort()
      .map((name) => [name, typeof properties[name], String(properties[name])]);
    return values.length < 2 ? undefined : JSON.stringify(values);
  }

  /** Names of the non-empty properties outside the match key. */
  private outsideKey(properties: Values): string[] {
    const row: ConformanceRecord = { id: 'x', snapshot: { properties: { ...properties }, groups: [] } };
    const key = this.keyOf(row);
    return Object.keys(properties).filter((name) => !blank(properties[name]) && this.keyWith(row, name, null) === key);
  }

  /**
   * `row` may not be `other` renumbered (the kit's `whyNotRenumbered`): a value outside the key
   * differs (ignoring case and surrounding spaces), it lacks one of `other`'s non-empty values,
   * or it has one where `other` had none.
   */
  differsFrom(row: ConformanceRecord, other: Values): boolean {
    const key = this.keyOf(row);
    const outsideKey = (name: string) => this.keyWith(row, name, null) === key;
    for (const [name, value] of Object.entries(row.snapshot.properties)) {
      if (blank(value) || blank(other[name]) || text(value) === text(other[name])) continue;
      if (outsideKey(name)) return true;
    }
    const theirs = Object.keys(other).filter((name) => !blank(other[name]) && outsideKey(name));
    if (theirs.some((name) => blank(row.snapshot.properties[name]))) return true;
    // Values `other` never had are no evidence either (trial 20a F3).
    return Object.entries(row.snapshot.properties).some(([name, value]) => !blank(value) && blank(other[name]) && outsideKey(name));
  }

  /** Strictly more of the properties outside the key on which `own` and `other` differ hold a non-empty value of `other`'s than their own (the kit's `describesOther`). */
  describes(row: ConformanceRecord, own: Values, other: Values): boolean {
    const same = (a: PropertyValue | undefined, b: PropertyValue | undefined) => (blank(a) ? blank(b) : a === b);
    const key = this.keyOf(row);
    let votes = 0;
    let carried = 0;
    for (const name of new Set([...Object.keys(own), ...Object.keys(other)])) {
      if (same(own[name], other[name])) continue;
      if (this.keyWith(row, name, own[name]) !== key || this.keyWith(row, name, other[name]) !== key) continue;
      const now = row.snapshot.properties[name];
      if (!blank(other[name]) && now === other[name]) {
        votes++;
        carried++;
      } else if (same(now, own[name])) votes--;
    }
    // At least two carried values where the row has two or more outside the key (the kit's describesOther).
    const telling = Object.entries(row.snapshot.properties).filter(([name, v]) => !blank(v) && this.keyWith(row, name, null) === key).length;
    return votes > 0 && carried >= Math.min(2, telling);
  }

  /**
   * Of the properties outside the match key on which `own` and `other` differ, `row` holds
   * `other`'s value in at least one, or its own in none (empty values all alike): the key did
   * not move alone (the kit's `takesValuesWith`).
   */
  takesValues(row: ConformanceRecord, own: Values, other: Values): boolean {
    const { forOther, forOwn } = this.valueVotes(row, own, other);
    return forOther > 0 || forOwn === 0;
  }

  /** Of the properties outside the match key on which `own` and `departed` differ: how many `row` holds as `departed`'s, and how many as its own. */
  private valueVotes(row: ConformanceRecord, own: Values, departed: Values): { forOther: number; forOwn: number } {
    const same = (a: PropertyValue | undefined, b: PropertyValue | undefined) => (blank(a) ? blank(b) : text(a) === text(b));
    const key = this.keyOf(row);
    let forOther = 0;
    let forOwn = 0;
    for (const name of new Set([...Object.keys(own), ...Object.keys(departed)])) {
      if (same(own[name], departed[name])) continue;
      if (this.keyWith(row, name, own[name]) !== key || this.keyWith(row, name, departed[name]) !== key) continue;
      const now = row.snapshot.properties[name];
      if (same(now, departed[name])) forOther++;
      else if (same(now, own[name])) forOwn++;
    }
    return { forOther, forOwn };
  }
}
