import type { SoqlQuery } from './soql';
import { queryOrg } from './org-query';
import { STANDARD_OBJECTS, type FieldSchema, type ObjectSchema } from './org-schema';
import { FieldIndexes } from './field-index';
import { counterOf, salesforceId } from './salesforce-ids';

/** A Salesforce per-record error (`errors[]` entry of a SaveResult). */
export interface SfError {
  readonly statusCode: string;
  readonly message: string;
  readonly fields: readonly string[];
  /** A DuplicateError's details: the rule and the records it matched (https://developer.salesforce.com/docs/platform/api/guide/sforce-api-objects-duplicateresult.html). */
  readonly duplicateResult?: DuplicateResult | undefined;
}

/** Salesforce's DuplicateResult, as a save's error carries it (MatchResult, MatchRecord: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_matchresult.htm). */
export interface DuplicateResult {
  readonly allowSave: boolean;
  readonly duplicateRule: string;
  readonly duplicateRuleEntityType: string;
  readonly errorMessage: string;
  readonly matchResults: readonly {
    readonly entityType: string;
    readonly errors: readonly unknown[];
    readonly matchEngine: string;
    readonly matchRecords: readonly { readonly additionalInformation: readonly unknown[]; readonly fieldDiffs: readonly unknown[]; readonly matchConfidence: number; readonly record: SfRecord }[];
    readonly rule: string;
    readonly size: number;
    readonly success: boolean;
  }[];
}

/** A request-level error answered as `[{ message, errorCode }]` with an HTTP status. */
export class SfRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A stored sObject record: field name → value (`Id` included). */
export type SfRecord = Record<string, unknown>;
/** One record's answer to a save, in sObject Collections' shape (`created` for upserts). */
export type SaveResult = { id: string | null; success: boolean; errors: SfError[]; created?: boolean };

/** Options of the emulated org. */
export interface OrgOptions {
  /**
   * A blocking duplicate rule: creating or updating a record whose `field` equals another's
   * (case-insensitive) fails with DUPLICATES_DETECTED, naming the records it matched. Without
   * it the org holds duplicates: an org whose duplicate rules are off, or let the API save
   * them. (Salesforce's standard Contact and Lead rules "Allow" with an alert, and an API call
   * without `Sforce-Duplicate-Rule-Header: allowSave=true` is refused at such an alert:
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_duplicaterules.htm ;
   * set this option to emulate that org.)
   * https://help.salesforce.com/s/articleView?id=sales.duplicate_rules_standard_contact_rule.htm
   */
  readonly duplicateRule?: { readonly object: string; readonly field: string } | undefined;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Field types whose values are text (trimmed on save, checked for length). */
const TEXT_TYPES: ReadonlySet<string> = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist']);
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const OWNER_ID = '005000000000001AAA';
/** The integration user the API's calls act as (the access token's; its identity URL names it). */
export const API_USER_ID = OWNER_ID;
/** The user seeded records were created by: a person, not the integration user (a seed may name another: `CreatedById`). */
export const PERSON_USER_ID = '005000000000002AAA';

function validDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const err = (statusCode: string, message: string, fields: readonly string[] = []): SfError => ({ statusCode, message, fields });

/**
 * A blocking duplicate rule's DuplicateError: "Use one of these records?", with the rule and
 * the records it matched (`duplicateResult.matchResults[].matchRecords[].record.Id`).
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_duplicateerror.htm
 */
function duplicatesDetected(object: string, clashes: readonly SfRecord[]): SfError {
  const matchRecords = clashes.map((r) => ({ additionalInformation: [], fieldDiffs: [], matchConfidence: 100, record: { attributes: { type: object }, Id: r.Id } }));
  return {
    ...err('DUPLICATES_DETECTED', 'Use one of these records?', []),
    duplicateResult: {
      allowSave: false,
      duplicateRule: `Standard_${object}_Duplicate_Rule`,
      duplicateRuleEntityType: object,
      errorMessage: "You're creating a duplicate record. We recommend you use an existing record instead.",
      matchResults: [{ entityType: object, errors: [], matchEngine: 'ExactMatchEngine', matchRecords, rule: `Standard_${object}_Match_Rule_v1_1`, size: matchRecords.length, success: true }],
    },
  };
}

/** The snapshot's list of deleted record ids (see {@link Org.snapshot}). */
const RECYCLE_BIN = 'RecycleBin';

/**
 * The emulated org's data and rules: records per object, ids with key prefixes,
 * field-level validation with Salesforce's error codes, SOQL evaluation, lead conversion.
 */
export class Org {
  private readonly schemas = new Map<string, ObjectSchema>();
  private records = new Map<string, Map<string, SfRecord>>();
  private deleted = new Set<string>();
  private counter = 0;
  private readonly indexes = new FieldIndexes();

  constructor(private readonly options: OrgOptions = {}) {
    for (const s of STANDARD_OBJECTS) this.schemas.set(s.name.toLowerCase(), s);
    this.reset();
  }

  /** The object schema, by name (case-insensitive). */
  schema(name: string): ObjectSchema | undefined {
    return this.schemas.get(name.toLowerCase());
  }

  /** The schema of the object an id belongs to (by key prefix). */
  schemaOfId(id: string): ObjectSchema | undefined {
    return [...this.schemas.values()].find((s) => id.startsWith(s.keyPrefix));
  }

  field(schema: ObjectSchema, name: string): FieldSchema | undefined {
    const lower = name.toLowerCase();
    return schema.fields.find((f) => f.name.toLowerCase() === lower);
  }

  private table(name: string): Map<string, SfRecord> {
    let t = this.records.get(name);
    if (!t) {
      t = new Map();
      this.records.set(name, t);
    }
    return t;
  }

  reset(): void {
    this.records = new Map();
    for (const s of this.schemas.values()) this.records.set(s.name, new Map());
    this.deleted = new Set();
    this.counter = 0;
    this.indexes.clear();
  }

  /** Records of `object` whose text `field` (API name) equals `value` (case-insensitive), through an index. */
  withValue(object: string, field: string, value: string): SfRecord[] {
    const table = this.table(object);
    const ids = this.indexes.lookup(object, field, value, () => table.values());
    const out: SfRecord[] = [];
    for (const id of ids) {
      const row = table.get(id);
      if (row) out.push(row);
    }
    return out;
  }

  /**
   * The records an upsert by the external id `field` matches for `value`: any case when the
   * field is unique (and not marked case sensitive), else only the same value written the same way — "Matching by external ID is
   * case-insensitive only if the external ID field has the Unique attribute and the … case
   * insensitive option selected".
   * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_upsert.htm
   */
  upsertMatches(object: string, field: FieldSchema, value: string): SfRecord[] {
    const rows = this.withValue(object, field.name, value);
    return field.unique && !field.caseSensitive ? rows : rows.filter((r) => r[field.name] === value);
  }

  /** All records of an object. */
  all(object: string): SfRecord[] {
    return [...this.table(object).values()];
  }

  get(id: string): SfRecord | undefined {
    const schema = this.schemaOfId(id);
    return schema ? this.table(schema.name).get(id) : undefined;
  }

  private checkSnapshot(data: unknown): void {
    const wrong = (what: string) => new Error(`it is not the Salesforce emulator's data (${what})`);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw wrong('expected an object of records by object name, e.g. {"Contact": [...]}');
    for (const [name, records] of Object.entries(data)) {
      if (name !== RECYCLE_BIN && !this.schema(name)) throw wrong(`"${name}" is not an object this emulator knows`);
      if (!Array.isArray(records)) throw wrong(`"${name}" is not a list of records`);
      for (const r of records as unknown[]) {
        if (typeof r !== 'object' || r === null || typeof (r as { Id?: unknown }).Id !== 'string') throw wrong(`a "${name}" record without a string Id`);
      }
    }
  }

  /**
   * Data as `{ Contact: [...], Lead: [...], …, RecycleBin: [{ Id }] }` (persistence and
   * `GET /__emulator/records`). `RecycleBin` lists the ids of deleted records, so an emulator
   * started again on this data still answers `ENTITY_IS_DELETED` for them and never issues
   * one of their ids again: a deleted record waits in the Recycle Bin, from where `undelete`
   * restores it under the same id
   * (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_emptyrecyclebin.htm),
   * and an id names one record of the org (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm).
   */
  snapshot(): Record<string, SfRecord[]> {
    const out: Record<string, SfRecord[]> = {};
    for (const [name, table] of this.records) out[name] = [...table.values()].map((r) => ({ ...r }));
    out[RECYCLE_BIN] = [...this.deleted].map((Id) => ({ Id }));
    return out;
  }

  /**
   * A restore point: the returned function puts every record back as it was (an
   * `allOrNone` request that failed is rolled back as a whole).
   */
  checkpoint(): () => void {
    const data = this.snapshot();
    const counter = this.counter;
    const deleted = new Set(this.deleted);
    return () => {
      this.load(data);
      this.counter = counter;
      this.deleted = deleted;
    };
  }

  /**
   * Replaces the data with a snapshot.
   *
   * @throws Error naming what is wrong when `data` is not a snapshot's shape — an object of
   *   known object names, each a list of records with a string `Id` (nothing is changed).
   */
  load(data: Record<string, SfRecord[]>): void {
    this.checkSnapshot(data as unknown);
    this.reset();
    for (const { Id } of data[RECYCLE_BIN] ?? []) {
      this.deleted.add(String(Id));
      this.counter = Math.max(this.counter, counterOf(String(Id)));
    }
    for (const [name, records] of Object.entries(data)) {
      const schema = this.schema(name);
      if (!schema) continue;
      for (const r of records) {
        const id = String(r.Id);
        this.table(schema.name).set(id, { ...r });
        this.counter = Math.max(this.counter, counterOf(id));
      }
    }
  }

  /**
   * Adds records given in Salesforce field names, `{ "Contact": [{…}], "Lead": [{…}] }`.
   * Contacts and Leads may carry `"Campaigns": ["Name", …]` to be made members of those
   * campaigns (created when missing); a Lead may carry `"IsConverted": true`.
   *
   * @throws Error naming the first invalid record.
   */
  seed(data: unknown): void {
    if (typeof data !== 'object' || data === null) throw new Error('seed must be an object of sObject type → records');
    for (const [name, records] of Object.entries(data as Record<string, unknown>)) {
      const schema = this.schema(name);
      if (!schema) throw new Error(`seed: unknown sObject type "${name}"`);
      if (!Array.isArray(records)) throw new Error(`seed: "${name}" must be an array`);
      for (const input of records as SfRecord[]) {
        const { Campaigns, IsConverted, Id, ...fields } = input;
        const result = this.create(schema.name, fields, { asSeed: true, id: typeof Id === 'string' ? Id : undefined });
        if (!result.success || !result.id) throw new Error(`seed: ${name} record rejected: ${result.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`);
        if (IsConverted === true && schema.name === 'Lead') this.convertLead(result.id);
        for (const campaign of Array.isArray(Campaigns) ? (Campaigns as string[]) : []) {
          const campaignId = this.campaignNamed(campaign) ?? (this.create('Campaign', { Name: campaign, IsActive: true }, { asSeed: true }).id as string);
          this.create('CampaignMember', { CampaignId: campaignId, [schema.name === 'Lead' ? 'LeadId' : 'ContactId']: result.id }, { asSeed: true });
        }
      }
    }
  }

  private campaignNamed(name: string): string | undefined {
    return this.all('Campaign').find((c) => String(c.Name).toLowerCase() === name.toLowerCase())?.Id as string | undefined;
  }

  /**
   * Checks a value's JSON type for its field (a wrong type fails the whole request in
   * Salesforce: JSON_PARSER_ERROR). @throws {@link SfRequestError}
   */
  checkJsonTypes(schema: ObjectSchema, fields: SfRecord): void {
    for (const [name, value] of Object.entries(fields)) {
      const f = this.field(schema, name);
      if (!f || value === null) continue;
      const bad =
        (f.type === 'boolean' && typeof value !== 'boolean') ||
        ((f.type === 'double' || f.type === 'int') && typeof value !== 'number') ||
        (f.type === 'date' && (typeof value !== 'string' || !validDate(value))) ||
        (f.type === 'datetime' && (typeof value !== 'string' || Number.isNaN(Date.parse(value))));
      if (bad) {
        throw new SfRequestError(
          400,
          'JSON_PARSER_ERROR',
          `Cannot deserialize instance of ${f.type} from VALUE_STRING value ${JSON.stringify(value)} or request may be missing a required field at [line:1, column:1]`,
        );
      }
    }
  }

  private validate(schema: ObjectSchema, fields: SfRecord, mode: 'create' | 'update', existing?: SfRecord): SfError | undefined {
    for (const [name, value] of Object.entries(fields)) {
      const f = this.field(schema, name);
      if (!f) return err('INVALID_FIELD', `No such column '${name}' on sobject of type ${schema.name}`, [name]);
      if (mode === 'create' ? !f.createable : !f.updateable) {
        return err(
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to ${mode} fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          [f.name],
        );
      }
      if (value === null) {
        // Only nillable fields may be set to null; a field defaulted on create takes its default when a create leaves it
        // out. https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
        if (!f.nillable && (mode !== 'create' || !f.defaultedOnCreate)) return err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${f.name}]`, [f.name]);
        continue;
      }
      if (TEXT_TYPES.has(f.type)) {
        const text = String(value);
        if (text.length > f.length) return err('STRING_TOO_LONG', `${f.name}: data value too large: ${text.slice(0, 20)}… (max length=${f.length})`, [f.name]);
        if (f.type === 'email' && !EMAIL_RE.test(text)) return err('INVALID_EMAIL_ADDRESS', `${f.name}: invalid email address: ${text}`, [f.name]);
        if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((p) => p.value === text)) {
          return err('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.name}: bad value for restricted picklist field: ${text}`, [f.name]);
        }
      }
      if (f.type === 'reference') {
        const ref = String(value);
        // A reference must be a 15- or 18-character id (MALFORMED_ID), of an existing record (INVALID_CROSS_REFERENCE_KEY).
        // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
        if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(ref)) return err('MALFORMED_ID', `${f.label}: id value of incorrect type: ${ref}`, [f.name]);
        if (!(f.name === 'OwnerId' && ref === OWNER_ID) && !this.get(ref)) return err('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [f.name]);
      }
      if (f.unique && typeof value === 'string') {
        // A case-sensitive unique field holds `P1` and `p1` side by side.
        const clash = this.withValue(schema.name, f.name, value).find((r) => r.Id !== existing?.Id && (!f.caseSensitive || r[f.name] === value.trim()));
        if (clash) return err('DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${String(clash.Id)}`, [f.name]);
      }
    }
    if (mode === 'create') {
      const missing = schema.fields.filter(
        (f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean' && (fields[f.name] === undefined || fields[f.name] === null || fields[f.name] === ''),
      );
      if (missing.length > 0) return err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.map((f) => f.name).join(', ')}]`, missing.map((f) => f.name));
    }
    const rule = this.options.duplicateRule;
    if (rule && rule.object.toLowerCase() === schema.name.toLowerCase()) {
      const value = fields[rule.field];
      if (typeof value === 'string' && value !== '') {
        const clashes = this.withValue(schema.name, this.field(schema, rule.field)?.name ?? rule.field, value).filter((r) => r.Id !== existing?.Id);
        if (clashes.length > 0) return duplicatesDetected(schema.name, clashes);
      }
    }
    return undefined;
  }

  /**
   * Fields under their canonical names, text values trimmed: "Salesforce trims leading and
   * trailing white spaces in field values" (a record never holds `P1 `).
   * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_data_diff_event_fields_considerations.htm
   */
  private canonical(schema: ObjectSchema, fields: SfRecord): SfRecord {
    const out: SfRecord = {};
    for (const [name, value] of Object.entries(fields)) {
      const f = this.field(schema, name);
      out[f?.name ?? name] = typeof value === 'string' && f && TEXT_TYPES.has(f.type) ? value.trim() : value;
    }
    return out;
  }

  private computed(schema: ObjectSchema, record: SfRecord): void {
    if (schema.name === 'Contact' || schema.name === 'Lead') {
      record.Name = [record.FirstName, record.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
    }
    record.LastModifiedDate = new Date().toISOString();
  }

  /** Creates one record; returns its SaveResult. */
  create(object: string, input: SfRecord, options: { asSeed?: boolean; id?: string | undefined } = {}): SaveResult {
    const schema = this.schema(object);
    if (!schema) return { id: null, success: false, errors: [err('INVALID_TYPE', `sObject type '${object}' is not supported.`)] };
    const fields = this.canonical(schema, input);
    const problem = options.asSeed ? this.validate(schema, Object.fromEntries(Object.entries(fields).filter(([k]) => this.field(schema, k)?.createable !== false)), 'create') : this.validate(schema, fields, 'create');
    if (options.asSeed) {
      const unknown = Object.keys(fields).find((k) => !this.field(schema, k));
      if (unknown) return { id: null, success: false, errors: [err('INVALID_FIELD', `No such column '${unknown}' on sobject of type ${schema.name}`, [unknown])] };
    }
    if (problem) return { id: null, success: false, errors: [problem] };
    if (schema.name === 'CampaignMember') {
      if (!fields.ContactId && !fields.LeadId) return { id: null, success: false, errors: [err('REQUIRED_FIELD_MISSING', 'Required fields are missing: [ContactId, LeadId]', ['ContactId', 'LeadId'])] };
      const dup = this.all('CampaignMember').some(
        (m) => m.CampaignId === fields.CampaignId && ((fields.ContactId && m.ContactId === fields.ContactId) || (fields.LeadId && m.LeadId === fields.LeadId)),
      );
      if (dup) return { id: null, success: false, errors: [err('DUPLICATE_VALUE', 'Already a campaign member.')] };
    }
    const id = options.id ?? salesforceId(schema.keyPrefix, ++this.counter);
    this.counter = Math.max(this.counter, counterOf(id));
    const now = new Date().toISOString();
    const record: SfRecord = { Id: id, IsDeleted: false, CreatedDate: now, CreatedById: options.asSeed ? PERSON_USER_ID : API_USER_ID, OwnerId: OWNER_ID };
    for (const f of schema.fields) {
      if (f.type === 'boolean' && f.defaultedOnCreate && record[f.name] === undefined && f.name !== 'IsDeleted') record[f.name] = false;
      const def = f.picklistValues.find((p) => p.defaultValue);
      if (def && f.defaultedOnCreate) record[f.name] = def.value;
    }
    Object.assign(record, fields);
    this.computed(schema, record);
    this.table(schema.name).set(id, record);
    this.indexes.add(schema.name, record);
    if (schema.name === 'CampaignMember') this.recount(String(record.CampaignId));
    if (schema.name === 'Campaign') Object.assign(record, { NumberOfContacts: 0, NumberOfLeads: 0 });
    return { id, success: true, errors: [] };
  }

  /** Updates one record by id; returns its SaveResult. */
  update(id: string, input: SfRecord, declaredType?: string): SaveResult {
    const schema = this.schemaOfId(id);
    const existing = schema ? this.table(schema.name).get(id) : undefined;
    if (!schema || !existing) {
      return { id, success: false, errors: [this.deleted.has(id) ? err('ENTITY_IS_DELETED', 'entity is deleted') : err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
    }
    if (declaredType && declaredType.toLowerCase() !== schema.name.toLowerCase()) {
      return { id, success: false, errors: [err('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id (not a ${declaredType})`)] };
    }
    if (schema.name === 'Lead' && existing.IsConverted === true) {
      return { id, success: false, errors: [err('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', [])] };
    }
    const fields = this.canonical(schema, input);
    const problem = this.validate(schema, fields, 'update', existing);
    if (problem) return { id, success: false, errors: [problem] };
    this.indexes.remove(schema.name, existing);
    Object.assign(existing, fields);
    for (const [k, v] of Object.entries(fields)) if (v === null) delete existing[k];
    this.computed(schema, existing);
    this.indexes.add(schema.name, existing);
    return { id, success: true, errors: [] };
  }

  /** Deletes one record (and the campaign memberships that point at it). */
  delete(id: string): SaveResult {
    const schema = this.schemaOfId(id);
    const table = schema ? this.table(schema.name) : undefined;
    if (!schema || !table?.has(id)) {
      return { id, success: false, errors: [this.deleted.has(id) ? err('ENTITY_IS_DELETED', 'entity is deleted') : err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
    }
    const removed = table.get(id) as SfRecord;
    this.indexes.remove(schema.name, removed);
    table.delete(id);
    this.deleted.add(id);
    const members = this.table('CampaignMember');
    const campaigns = new Set<string>(schema.name === 'CampaignMember' ? [String(removed.CampaignId)] : []);
    for (const [mid, m] of members) {
      if (m.ContactId === id || m.LeadId === id || m.CampaignId === id) {
        this.indexes.remove('CampaignMember', m);
        members.delete(mid);
        campaigns.add(String(m.CampaignId));
      }
    }
    for (const campaign of campaigns) this.recount(campaign);
    return { id, success: true, errors: [] };
  }

  /**
   * Keeps a campaign's `NumberOfContacts` and `NumberOfLeads` equal to its members: read-only
   * statistics Salesforce calculates "using all associated records".
   * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaign.htm ,
   * https://help.salesforce.com/s/articleView?id=sales.campaigns_fields.htm
   */
  private recount(campaignId: string): void {
    const campaign = this.table('Campaign').get(campaignId);
    if (!campaign) return;
    const members = this.withValue('CampaignMember', 'CampaignId', campaignId);
    campaign.NumberOfContacts = members.filter((m) => typeof m.ContactId === 'string').length;
    campaign.NumberOfLeads = members.filter((m) => typeof m.LeadId === 'string').length;
  }

  /** Converts a Lead: marks it converted and creates the Contact. Returns the Contact id. */
  convertLead(id: string): string {
    const lead = this.table('Lead').get(id);
    if (!lead) throw new Error(`no Lead ${id}`);
    if (lead.IsConverted === true) return String(lead.ConvertedContactId);
    const contactFields: SfRecord = {};
    for (const name of ['FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Title', 'LeadSource', 'Customer_Id__c', 'Subscription_Date__c']) {
      if (lead[name] !== undefined && lead[name] !== null) contactFields[name] = lead[name];
    }
    if (lead.City) contactFields.MailingCity = lead.City;
    if (lead.Country) contactFields.MailingCountry = lead.Country;
    const customerId = lead.Customer_Id__c;
    this.indexes.remove('Lead', lead);
    delete lead.Customer_Id__c; // unique on both objects: the Contact takes it over
    const result = this.create('Contact', contactFields);
    if (!result.success || !result.id) {
      if (customerId !== undefined) lead.Customer_Id__c = customerId;
      this.indexes.add('Lead', lead);
      throw new Error(`cannot convert Lead ${id}: ${result.errors.map((e) => e.message).join('; ')}`);
    }
    if (customerId !== undefined) lead.Customer_Id__c = customerId;
    lead.IsConverted = true;
    lead.ConvertedContactId = result.id;
    lead.ConvertedDate = new Date().toISOString().slice(0, 10);
    lead.Status = 'Closed - Converted';
    this.indexes.add('Lead', lead);
    return result.id;
  }

  /**
   * Runs a parsed query (see `org-query.ts`). @throws {@link SfRequestError} `INVALID_TYPE` / `INVALID_FIELD`.
   */
  query(q: SoqlQuery): SfRecord[] {
    return queryOrg(this, q);
  }
}
