import type { SyncError } from '@syncmodes/connector-kit';
import type { AudienceUnreachableError } from './graph-errors';

/**
 * What the ad account's listing said of an audience that answered 100 / 33 on its `/users`
 * edge: no longer listed (`deleted`), still listed (`listed`: the token cannot reach it), or
 * the listing itself was refused for good (`unlisted`, with its error: whether the audience
 * exists cannot be told).
 * https://developers.facebook.com/docs/marketing-api/error-reference
 */
export type MissingVerdict = { readonly kind: 'deleted' } | { readonly kind: 'listed' } | { readonly kind: 'unlisted'; readonly error: SyncError };

/**
 * What one run has learned about audience ids (a `FacebookClient` lives for one run): the ad
 * account each belongs to (listed or created in this run's ad account, or read once), and
 * the 100 / 33 answers on their `/users` edge with the verdict of the listing made after
 * them — so a later chunk to the same audience, or a retry, neither sends its `/users`
 * request again nor lists the ad account again, and an audience is read at most once.
 */
export class AudienceMemory {
  /** Audience id → its ad account (`act_<digits>`), `undefined` when it could not be read. */
  private readonly accounts = new Map<string, Promise<string | undefined>>();
  /** Audience id → the 100 / 33 its `/users` edge answered in this run. */
  private readonly refusals = new Map<string, AudienceUnreachableError>();
  /** Audience id → what the listing made after that answer said. */
  private readonly verdicts = new Map<string, Promise<MissingVerdict>>();

  constructor(private readonly adAccountId: string) {}

  /** Audiences the ad account listed, or that this run created in it. */
  inOwnAccount(ids: Iterable<string>): void {
    for (const id of ids) this.accounts.set(id, Promise.resolve(this.adAccountId));
  }

  /** An audience read by id: its ad account (`account_id`, digits), or `undefined` (unreadable, or not said). */
  read(id: string, accountId: string | undefined): void {
    this.accounts.set(id, Promise.resolve(accountId === undefined ? undefined : `act_${accountId}`));
  }

  /** The ad account of `id` (`act_<digits>`, `undefined`: unknown): remembered, else what `read` gives (called once per run). */
  accountOf(id: string, read: () => Promise<string | undefined>): Promise<string | undefined> {
    const known = this.accounts.get(id) ?? read();
    this.accounts.set(id, known);
    return known;
  }

  /** Remembers Graph's 100 / 33 on an audience's `/users` edge. */
  refused(error: AudienceUnreachableError): void {
    this.refusals.set(error.audienceId, error);
  }

  /** The 100 / 33 audience `id` answered in this run, if it did. */
  refusalOf(id: string): AudienceUnreachableError | undefined {
    return this.refusals.get(id);
  }

  /** The verdict on audience `id`: remembered, else `decide`'s; one that throws is forgotten (a retry decides again). */
  verdictOn(id: string, decide: () => Promise<MissingVerdict>): Promise<MissingVerdict> {
    const known = this.verdicts.get(id);
    if (known) return known;
    const deciding = decide().catch((error: unknown) => {
      this.verdicts.delete(id);
      throw error;
    });
    this.verdicts.set(id, deciding);
    return deciding;
  }
}
