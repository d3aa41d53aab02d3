import { SyncError, type SyncErrorOptions } from './sync-error';

/**
 * The group (audience, list, tag) a group change addressed no longer exists in the
 * destination: deleted in the vendor's UI since the run resolved its id. A group verb
 * answers it per item (or throws it for the whole call) only once the vendor has confirmed
 * the group is gone — never for a refusal that may mean something else (missing access).
 *
 * What the kit does with it (`engine/steps/send-memberships.ts`):
 * - a removal has nothing left to do — nobody is a member of a deleted group: it counts as
 *   done, state forgets that membership, and the record's result carries this code and message;
 * - an addition to a group found by name stays pending (`skipped` with this code, retryable): the
 *   next run's group check finds the name gone, creates the group again and refills it;
 * - an addition to a group whose id is pinned (`RunSyncOptions.groupIds`) fails with
 *   `pinnedCode` (default: this code), not retryable: a pinned group is never recreated under
 *   another id — a code of its own lets the connector's code list say so (its `retryable` flag
 *   differs from the pending addition's).
 *
 * Never retried within the run (`retryable: false`).
 */
export class GroupGoneError extends SyncError {
  /** The code an addition to the group fails with when its id is pinned (`groupIds`). */
  readonly pinnedCode: string;

  constructor(code: string, message: string, options: Omit<SyncErrorOptions, 'retryable'> & { readonly pinnedCode?: string } = {}) {
    const { pinnedCode, ...rest } = options;
    super(code, message, { ...rest, retryable: false });
    this.pinnedCode = pinnedCode ?? code;
  }
}

