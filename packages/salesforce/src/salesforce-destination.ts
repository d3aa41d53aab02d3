import { InputError, defineDestination, isSpreadsheetExponent, spreadsheetExponentError, type PropertyValue, type RecordSnapshot } from '@syncmodes/connector-kit';
import type { FieldDescribe } from './client/salesforce-api';
import { connectSalesforce, memberFieldFor, type SalesforceClient } from './client/salesforce-client';
import { salesforceConfigSchema } from './config';
import { SALESFORCE_CODES } from './errors/codes';
import { convertValue, dateOptionsOf } from './fields/field-values';
import { addCampaignMembers, ensureCampaigns, findCampaigns, removeCampaignMembers } from './verbs/campaigns';
import { findRecords } from './verbs/find-records';
import { SHARED_WRITES_MIN_VERSION, createAndUpdateRecords } from './verbs/shared-writes';
import { createRecords, deleteRecords, updateRecords, upsertsByMatchField } from './verbs/write-records';
import { emailIdentity } from './email-identity';

/** A field's value as a key (trimmed, lowercased), the field named as configured or in any case (mappings may spell it differently); undefined when empty. */
function normalisedField(snapshot: RecordSnapshot, field: string): string | undefined {
  let value = snapshot.properties[field];
  if (value === undefined) {
    const wanted = field.toLowerCase();
    value = Object.entries(snapshot.properties).find(([k]) => k.toLowerCase() === wanted)?.[1];
  }
  if (value === null || value === undefined) return undefined;
  const key = String(value).trim().toLowerCase();
  return key === '' ? undefined : key;
}

/**
 * The Salesforce destination: records of one sObject (Contact by default; Lead; any
 * sObject) matched by a field (Email by default, or an external id), with Campaign
 * membership as groups (Contacts and Leads). Modes: sync, additive (default), enrich.
 *
 * Writes use sObject Collections (200 records per call, `allOrNone: false`, per-record
 * results); lookups use SOQL `IN` queries; values are checked against the object's
 * describe before sending. A run with more than `bulkThreshold` changed records (default
 * 10,000) writes through Bulk API 2.0 ingest jobs of up to `bulkJobSize` records (CSV;
 * per-record results mapped back) and looks records up with a query job when the
 * object is not much larger than the run. With a unique external-id match field, creates are
 * upserts by it, the key trimmed (`createUpserts`): in sync and additive runs the kit sends records without
 * state in one upsert job, or collections upserts, without a lookup — unless the source has
 * Emails (`identityKeys`): then it looks them up first, so that a Contact holding one row's
 * id and another row's Email is refused (`identity_unclear`), never overwritten. The kit still plans
 * every record: the mode decides what is written, the API only how.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/
 */
export const salesforceDestination = defineDestination({
  kind: 'records',
  id: 'salesforce',
  displayName: 'Salesforce',
  description: 'Contacts, Leads or any sObject, with Campaign membership.',
  docsUrl: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/',
  configSchema: salesforceConfigSchema,
  errorCodes: SALESFORCE_CODES,
  syncModes: ['sync', 'additive', 'enrich'],
  defaultSyncMode: 'additive',
  // Runs of more than `bulkThreshold` changed records take whole Bulk API 2.0 jobs (the verbs switch API above 200 records);
  // a job takes one operation, so updates and creates share no batch there (`sharedBatch`). Elsewhere they share one
  // Composite call (see createAndUpdateRecords), from API version 48.0.
  limits: (config, run) =>
    config.bulkThreshold > 0 && run.changed + run.departing > config.bulkThreshold
      ? { writeBatchSize: config.bulkJobSize, lookupBatchSize: config.bulkJobSize, groupBatchSize: 200, concurrency: config.concurrency, windowSize: config.bulkJobSize, sharedBatch: false }
      : { writeBatchSize: 200, lookupBatchSize: 200, groupBatchSize: 200, concurrency: config.concurrency, sharedBatch: Number(config.apiVersion) >= SHARED_WRITES_MIN_VERSION },
  matchKeyLabel: (config) => config.matchField,
  // The org and the object: two syncs into one object with other match fields write the same records, and `contact` names the Contact object too (fresh reviewer 112, F3).
  writeTarget: ({ instanceUrl, object }) => ({ instanceUrl, object: String(object).toLowerCase() }),
  matchKey: (snapshot, config) => normalisedField(snapshot, config.matchField),
  // A match value a spreadsheet wrote as `4.479E+11` may be any of several ids: never looked up, nor created under it.
  refuseKey: (snapshot, config) => {
    const key = normalisedField(snapshot, config.matchField);
    return key !== undefined && isSpreadsheetExponent(key) ? spreadsheetExponentError(`The match field ${config.matchField}`) : undefined;
  },
  // Where the match field is not Email, the Email still names the person: Salesforce's standard duplicate
  // rules match Contacts and Leads by it (https://help.salesforce.com/s/articleView?id=sales.matching_rules_standard_contact_rule.htm).
  identityKeys: (snapshot, config) => {
    if (config.matchField.toLowerCase() === 'email') return [];
    const email = normalisedField(snapshot, 'Email');
    return email === undefined ? [] : [emailIdentity(email)];
  },
  identityLabel: () => 'Email',
  // An external-id match field: creates are upserts, so records without state are sent without a lookup (see createRecords).
  createUpserts: (ctx) => upsertsByMatchField(ctx.client),
  supportsGroups: (config) => memberFieldFor(config.object) !== undefined,
  connect: (config, ctx): Promise<SalesforceClient> => connectSalesforce(config, ctx.logger),
  prepareFields: async (ctx, names) => ctx.client.fields.check(names),
  validate: (ctx, item) => {
    const { fields } = ctx.client;
    const dates = dateOptionsOf(ctx.config);
    for (const name in item.properties) {
      const value = item.properties[name] as PropertyValue;
      const field = fields.get(name);
      if (!field) continue;
      const converted = convertValue(field, value, dates);
      if (!converted.ok) return converted.error;
    }
    // An upsert may update an existing record: Salesforce checks required fields only of the rows it inserts (REQUIRED_FIELD_MISSING).
    if (item.action === 'create' && !upsertsByMatchField(ctx.client)) {
      // A property names a field when it is its name in any case (the field `get` resolves it to).
      const given = (f: FieldDescribe) => {
        for (const name in item.properties) if (fields.get(name) === f) return true;
        return false;
      };
      const required = fields.requiredOnCreate();
      const missing = required.every(given) ? [] : required.filter((f) => !given(f));
      if (missing.length > 0) {
        return new InputError(
          'required_field_missing',
          `Salesforce requires ${missing.map((f) => f.name).join(' and ')} to create a ${fields.object}; map a column to it or fill it in.`,
          { fields: missing.map((f) => f.name) },
        );
      }
    }
    return undefined;
  },
  verbs: {
    find: findRecords,
    create: createRecords,
    update: updateRecords,
    createAndUpdate: createAndUpdateRecords,
    delete: deleteRecords,
    groups: { find: findCampaigns, ensure: ensureCampaigns, add: addCampaignMembers, remove: removeCampaignMembers },
  },
});
