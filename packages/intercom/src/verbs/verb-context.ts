import type { VerbContext } from '@syncmodes/connector-kit';
import type { IntercomConnection } from '../client/intercom-connection';
import type { IntercomConfig } from '../config';

/** What every Intercom verb receives. */
export type IntercomContext = VerbContext<IntercomConfig, IntercomConnection>;
