import type { FoundRecord } from '../../src/index';
import { findAllPages, tinyCall, tinyDestination, type TinyConfig } from '../tiny/tiny-destination';
import { mutate, type Mutant } from './mutant';

const realFind = tinyDestination.verbs.find;

/** Mutants in the lookup. */
export const LOOKUP_MUTANTS: readonly Mutant[] = [
  {
    name: 'lookup-neighbour-ref',
    breaks: 'an off-by-one ref: the matches of one key are reported for the next record of the batch',
    caughtBy: { check: 'updates' },
    destination: mutate({
      verbs: {
        async find(ctx, requests) {
          const found = await realFind(ctx, requests);
          return new Map([...found].map(([ref, hits]) => [ref + 1, hits]));
        },
      },
    }),
  },
  {
    name: 'lookup-by-position',
    breaks: 'matches are paired with requests by position, so when a key is not found its neighbour’s record is marked as found',
    caughtBy: { check: 'found-and-not-found' },
    destination: mutate({
      verbs: {
        async find(ctx, requests) {
          const records = await findAllPages(tinyCall, ctx.config, requests.map((r) => r.matchKey));
          const out = new Map<number, FoundRecord[]>();
          requests.forEach((r, i) => {
            const hit = records[i];
            if (hit) out.set(r.ref, [{ id: hit.id }]);
          });
          return out;
        },
      },
    }),
  },
  {
    name: 'lookup-first-match-only',
    breaks: 'the lookup keeps one match of several (picks the first): the kit cannot see the ambiguity and updates one of two people',
    caughtBy: { check: 'ambiguous-match' },
    destination: mutate({
      verbs: {
        async find(ctx, requests) {
          const found = await realFind(ctx, requests);
          return new Map([...found].map(([ref, hits]) => [ref, hits.slice(0, 1)]));
        },
      },
    }),
  },
  {
    name: 'lookup-first-page-only',
    breaks: 'the lookup reads only the first page of matches: records on later pages look absent: enrich skips them as not_found',
    caughtBy: { check: 'batch-limit', modes: ['enrich'] },
    destination: mutate({
      verbs: {
        async find(ctx, requests) {
          const qs = requests.map((r) => `key=${encodeURIComponent(r.matchKey)}`).join('&');
          const { records } = (await tinyCall(ctx.config as TinyConfig, 'GET', `/records?${qs}`)) as { records: { id: string; key: string }[] };
          const out = new Map<number, FoundRecord[]>();
          for (const r of requests) {
            const hits = records.filter((x) => x.key === r.matchKey);
            if (hits.length > 0) out.set(r.ref, hits.map((x) => ({ id: x.id })));
          }
          return out;
        },
      },
    }),
  },
  {
    name: 'key-case-sensitive',
    breaks: 'the match key keeps its case while the API compares keys case-insensitively: PERSON1@EXAMPLE.COM is not found, and a duplicate is attempted',
    caughtBy: { check: 'key-as-the-api-compares' },
    destination: mutate({
      definition: {
        matchKey: (snapshot) => {
          const v = snapshot.properties.email;
          return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
        },
      },
    }),
  },
];
