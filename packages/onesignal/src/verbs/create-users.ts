import { SyncError, type ItemResult, type VerbContext, type WriteItem } from '@syncmodes/connector-kit';
import type { OneSignalClient } from '../client/onesignal-client';
import type { OneSignalConfig } from '../config';

/**
 * Never called: the destination supports only enrich, where the kit never plans a create.
 * OneSignal users are created by OneSignal's SDKs in the app (with their subscriptions);
 * a server-side create would make users without devices.
 *
 * @throws SyncError `create_unsupported`, always.
 */
export async function createUsers(_ctx: VerbContext<OneSignalConfig, OneSignalClient>, _items: readonly WriteItem[]): Promise<ItemResult[]> {
  throw new SyncError(
    'create_unsupported',
    'OneSignal users are created by the OneSignal SDK in your app; this destination only enriches existing users (enrich mode).',
  );
}
