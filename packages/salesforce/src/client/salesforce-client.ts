import { ConfigError, SyncError, type Logger } from '@syncmodes/connector-kit';
import type { SalesforceConfig } from '../config';
import { ObjectFields } from '../fields/object-fields';
import { SalesforceApi, type FieldDescribe } from './salesforce-api';

/** What `connect` builds: the API, the synced object's metadata and a campaign id cache. */
export interface SalesforceClient {
  readonly api: SalesforceApi;
  readonly fields: ObjectFields;
  readonly matchField: FieldDescribe;
  /** CampaignMember's field pointing at the synced object (Contacts and Leads only). */
  readonly memberField: 'ContactId' | 'LeadId' | undefined;
  /** Lowercased campaign name → id, filled as campaigns are found or created. */
  readonly campaignIds: Map<string, string>;
}

const FILTERABLE = new Set(['string', 'email', 'phone', 'id', 'url', 'reference', 'picklist']);

/** The CampaignMember field for an object, when it can be a campaign member. */
export function memberFieldFor(object: string): 'ContactId' | 'LeadId' | undefined {
  const lower = object.toLowerCase();
  return lower === 'contact' ? 'ContactId' : lower === 'lead' ? 'LeadId' : undefined;
}

/**
 * Why the object's describe was not found: an API version the org does not serve (newer than
 * its release: Salesforce answers that the resource does not exist, as for an unknown object;
 * fresh trial 144, F3), else the object. The versions are read once, only then.
 */
async function notFoundOnConnect(api: SalesforceApi, config: SalesforceConfig): Promise<ConfigError> {
  const served = await api.versions().catch(() => [] as string[]);
  if (served.length > 0 && !served.includes(config.apiVersion)) {
    return new ConfigError(
      `Salesforce at ${config.instanceUrl} does not serve REST API version ${config.apiVersion} (it serves ${served[0]} to ${served[served.length - 1]}). Set the apiVersion option to one of them (the default is 62.0).`,
      'invalid_config',
    );
  }
  return new ConfigError(`Salesforce has no object "${config.object}" (or the user cannot see it). Check the object option (config.object).`, 'unknown_object');
}

/**
 * Connects: builds the jsforce-backed API and loads the object's describe.
 *
 * @throws {@link ConfigError} `unknown_object` or `invalid_match_field` when the object or
 *   match field cannot be used, `invalid_config` for an API version the org does not serve;
 *   auth errors surface as `authentication_failed`.
 */
export async function connectSalesforce(config: SalesforceConfig, logger: Logger): Promise<SalesforceClient> {
  const api = new SalesforceApi({
    instanceUrl: config.instanceUrl.replace(/\/$/, ''),
    accessToken: config.accessToken,
    apiVersion: config.apiVersion,
    timeoutMs: config.requestTimeoutMs,
    refresh:
      config.refreshToken && config.clientId
        ? { refreshToken: config.refreshToken, clientId: config.clientId, clientSecret: config.clientSecret, loginUrl: (config.loginUrl ?? 'https://login.salesforce.com').replace(/\/$/, '') }
        : undefined,
  });
  let describe;
  try {
    describe = await api.describe(config.object);
  } catch (error) {
    if (error instanceof SyncError && error.vendorCode === 'NOT_FOUND') throw await notFoundOnConnect(api, config);
    throw error;
  }
  const fields = new ObjectFields(describe);
  const matchField = fields.get(config.matchField);
  if (!matchField || !FILTERABLE.has(matchField.type)) {
    throw new ConfigError(
      `${describe.name} has no text field "${config.matchField}" to match records by. Use Email or an external-id field.`,
      'invalid_match_field',
    );
  }
  logger.debug('salesforce connected', { object: describe.name, matchField: matchField.name });
  return { api, fields, matchField, memberField: memberFieldFor(describe.name), campaignIds: new Map() };
}
