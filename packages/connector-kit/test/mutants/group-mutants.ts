import { tinyDestination } from '../tiny/tiny-destination';
import { mutate, type Mutant } from './mutant';

const real = tinyDestination.verbs.groups as NonNullable<typeof tinyDestination.verbs.groups>;

/** Mutants in group membership. */
export const GROUP_MUTANTS: readonly Mutant[] = [
  {
    name: 'group-add-not-sent',
    breaks: 'group additions are reported as done without being sent',
    caughtBy: { check: 'groups' },
    destination: mutate({ groups: { add: async (_ctx, _group, members) => members.map(() => ({ ok: true })) } }),
  },
  {
    name: 'group-add-first-only',
    breaks: 'a group addition sends only the first member of the batch and reports every member added',
    caughtBy: { check: 'group-every-member' },
    destination: mutate({ groups: { add: async (ctx, group, members) => (await real.add(ctx, group, members.slice(0, 1)), members.map(() => ({ ok: true }))) } }),
  },
  {
    name: 'group-remove-not-sent',
    breaks: 'group removals are reported as done without being sent: people who left a group stay in it',
    caughtBy: { check: 'groups' },
    destination: mutate({ groups: { remove: async (_ctx, _group, members) => members.map(() => ({ ok: true })) } }),
  },
];
