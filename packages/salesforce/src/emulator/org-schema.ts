/**
 * The emulated org's object metadata: a faithful subset of the standard Contact, Lead,
 * Account, Campaign and CampaignMember fields (names, types, lengths, nillable,
 * createable, updateable) as `GET /sobjects/{type}/describe` reports them, plus custom fields
 * on Contact and Lead (`Customer_Id__c` and `External_Key__c`, external ids;
 * `Subscription_Date__c`, a date; `Seats__c`, a Number(18, 0)).
 *
 * Source: Salesforce Object Reference,
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
 */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'double'
  | 'int'
  | 'reference';

/** One field of a describe result (the properties the connector reads). */
export interface FieldSchema {
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  /** Maximum characters for text types (0 otherwise). */
  readonly length: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly externalId: boolean;
  readonly idLookup: boolean;
  readonly unique: boolean;
  /**
   * A unique text field marked "case sensitive": SOQL's comparisons, upserts by it and its
   * Unique check match only a value written the same way (describe `caseSensitive`).
   * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
   */
  readonly caseSensitive: boolean;
  readonly restrictedPicklist: boolean;
  readonly picklistValues: readonly { readonly value: string; readonly label: string; readonly active: boolean; readonly defaultValue: boolean }[];
  readonly referenceTo: readonly string[];
  /** Reference fields: the relationship's name on this object (`Account` for `AccountId`). */
  readonly relationshipName?: string | undefined;
  /** Reference fields: the child relationship's name on the referenced object (`Contacts` on Account for Contact.AccountId). */
  readonly childRelationship?: string | undefined;
  /** Computed by the org, never written (e.g. a campaign's member counts). */
  readonly calculated?: boolean | undefined;
  /**
   * Number types: digits kept after the decimal point (describe `scale`). Default 2 for
   * `double`, `currency` and `percent`, 0 otherwise; a custom Number(18, 0) field is a `double`
   * of scale 0. https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm#field
   */
  readonly scale?: number | undefined;
}

/** One object's describe (subset). */
export interface ObjectSchema {
  readonly name: string;
  readonly label: string;
  readonly keyPrefix: string;
  readonly fields: readonly FieldSchema[];
}

type FieldSpec = Partial<FieldSchema> & Pick<FieldSchema, 'name' | 'type'>;

function field(spec: FieldSpec): FieldSchema {
  const text = ['string', 'textarea', 'email', 'phone', 'url', 'picklist'].includes(spec.type);
  return {
    label: spec.name.replace(/__c$/, '').replace(/_/g, ' '),
    length: text ? 255 : spec.type === 'id' || spec.type === 'reference' ? 18 : 0,
    nillable: true,
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    externalId: false,
    idLookup: false,
    unique: false,
    caseSensitive: false,
    restrictedPicklist: false,
    picklistValues: [],
    referenceTo: [],
    ...spec,
  };
}

const systemFields = (): FieldSchema[] => [
  field({ name: 'Id', type: 'id', nillable: false, createable: false, updateable: false, defaultedOnCreate: true, idLookup: true }),
  field({ name: 'IsDeleted', type: 'boolean', nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
  field({ name: 'CreatedDate', type: 'datetime', nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
  // The user who created the record: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/system_fields.htm
  field({ name: 'CreatedById', type: 'reference', nillable: false, createable: false, updateable: false, defaultedOnCreate: true, referenceTo: ['User'], relationshipName: 'CreatedBy' }),
  field({ name: 'LastModifiedDate', type: 'datetime', nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
  field({ name: 'OwnerId', type: 'reference', nillable: false, defaultedOnCreate: true, referenceTo: ['User'], relationshipName: 'Owner' }),
];

const picklist = (values: string[], defaultValue?: string) =>
  values.map((v) => ({ value: v, label: v, active: true, defaultValue: v === defaultValue }));

const LEAD_SOURCES = picklist(['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other']);

const personFields = (): FieldSchema[] => [
  field({ name: 'Salutation', type: 'picklist', length: 40, picklistValues: picklist(['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.']) }),
  field({ name: 'FirstName', type: 'string', length: 40 }),
  field({ name: 'LastName', type: 'string', length: 80, nillable: false }),
  field({ name: 'Name', type: 'string', length: 121, createable: false, updateable: false }),
  field({ name: 'Title', type: 'string', length: 128 }),
  field({ name: 'Email', type: 'email', length: 80, idLookup: true }),
  field({ name: 'Phone', type: 'phone', length: 40 }),
  field({ name: 'MobilePhone', type: 'phone', length: 40 }),
  field({ name: 'LeadSource', type: 'picklist', length: 255, picklistValues: LEAD_SOURCES }),
  field({ name: 'Description', type: 'textarea', length: 32000 }),
  field({ name: 'HasOptedOutOfEmail', type: 'boolean', nillable: false, defaultedOnCreate: true }),
  field({ name: 'Customer_Id__c', type: 'string', length: 50, externalId: true, idLookup: true, unique: true }),
  // An external id marked "Unique, case sensitive" (ids such as `cus_AbC1` and `cus_abc1` are different people).
  field({ name: 'External_Key__c', type: 'string', length: 50, externalId: true, idLookup: true, unique: true, caseSensitive: true }),
  field({ name: 'Subscription_Date__c', type: 'date' }),
  // A custom Number(18, 0) field: it describes as `double`, of scale 0.
  field({ name: 'Seats__c', type: 'double', scale: 0 }),
];

/** The standard objects of the emulated org. */
export const STANDARD_OBJECTS: readonly ObjectSchema[] = [
  {
    name: 'Contact',
    label: 'Contact',
    keyPrefix: '003',
    fields: [
      ...systemFields(),
      ...personFields(),
      field({ name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account', childRelationship: 'Contacts' }),
      field({ name: 'Department', type: 'string', length: 80 }),
      field({ name: 'Birthdate', type: 'date' }),
      field({ name: 'MailingStreet', type: 'textarea', length: 255 }),
      field({ name: 'MailingCity', type: 'string', length: 40 }),
      field({ name: 'MailingState', type: 'string', length: 80 }),
      field({ name: 'MailingPostalCode', type: 'string', length: 20 }),
      field({ name: 'MailingCountry', type: 'string', length: 80 }),
      field({ name: 'OtherPhone', type: 'phone', length: 40 }),
    ],
  },
  {
    name: 'Lead',
    label: 'Lead',
    keyPrefix: '00Q',
    fields: [
      ...systemFields(),
      ...personFields(),
      field({ name: 'Company', type: 'string', length: 255, nillable: false }),
      field({ name: 'Website', type: 'url', length: 255 }),
      field({ name: 'Street', type: 'textarea', length: 255 }),
      field({ name: 'City', type: 'string', length: 40 }),
      field({ name: 'State', type: 'string', length: 80 }),
      field({ name: 'PostalCode', type: 'string', length: 20 }),
      field({ name: 'Country', type: 'string', length: 80 }),
      field({
        name: 'Status',
        type: 'picklist',
        length: 255,
        nillable: false,
        defaultedOnCreate: true,
        restrictedPicklist: true,
        picklistValues: picklist(
          ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'],
          'Open - Not Contacted',
        ),
      }),
      field({ name: 'IsConverted', type: 'boolean', nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
      field({ name: 'ConvertedContactId', type: 'reference', createable: false, updateable: false, referenceTo: ['Contact'], relationshipName: 'ConvertedContact' }),
      field({ name: 'ConvertedDate', type: 'date', createable: false, updateable: false }),
    ],
  },
  {
    name: 'Account',
    label: 'Account',
    keyPrefix: '001',
    fields: [
      ...systemFields(),
      field({ name: 'Name', type: 'string', length: 255, nillable: false }),
      field({ name: 'Website', type: 'url', length: 255 }),
      field({ name: 'Phone', type: 'phone', length: 40 }),
      field({ name: 'Industry', type: 'picklist', length: 255, picklistValues: picklist(['Agriculture', 'Banking', 'Education', 'Technology', 'Other']) }),
      field({ name: 'BillingCity', type: 'string', length: 40 }),
      field({ name: 'BillingState', type: 'string', length: 80 }),
      field({ name: 'BillingCountry', type: 'string', length: 80 }),
      field({ name: 'NumberOfEmployees', type: 'int' }),
      field({ name: 'Description', type: 'textarea', length: 32000 }),
      field({ name: 'Account_Number__c', type: 'string', length: 40, externalId: true, idLookup: true }),
    ],
  },
  {
    name: 'Campaign',
    label: 'Campaign',
    keyPrefix: '701',
    fields: [
      ...systemFields(),
      field({ name: 'Name', type: 'string', length: 80, nillable: false }),
      field({ name: 'IsActive', type: 'boolean', nillable: false, defaultedOnCreate: true }),
      field({ name: 'Type', type: 'picklist', length: 255, picklistValues: picklist(['Email', 'Webinar', 'Advertisement', 'Other']) }),
      // Roll-up counts kept by Salesforce: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaign.htm
      field({ name: 'NumberOfContacts', type: 'int', nillable: true, createable: false, updateable: false, calculated: true }),
      field({ name: 'NumberOfLeads', type: 'int', nillable: true, createable: false, updateable: false, calculated: true }),
    ],
  },
  {
    name: 'CampaignMember',
    label: 'Campaign Member',
    keyPrefix: '00v',
    fields: [
      ...systemFields(),
      field({ name: 'CampaignId', type: 'reference', nillable: false, updateable: false, referenceTo: ['Campaign'], relationshipName: 'Campaign', childRelationship: 'CampaignMembers' }),
      field({ name: 'ContactId', type: 'reference', updateable: false, referenceTo: ['Contact'], relationshipName: 'Contact', childRelationship: 'CampaignMembers' }),
      field({ name: 'LeadId', type: 'reference', updateable: false, referenceTo: ['Lead'], relationshipName: 'Lead', childRelationship: 'CampaignMembers' }),
      field({ name: 'Status', type: 'picklist', length: 40, defaultedOnCreate: true, picklistValues: picklist(['Sent', 'Responded'], 'Sent') }),
    ],
  },
];

/** Builds a custom field (for seeds that add fields to the emulated org). */
export function customField(spec: FieldSpec): FieldSchema {
  return field(spec);
}

/** One child relationship of an object, as describe reports it. */
export interface ChildRelationship {
  readonly childSObject: string;
  readonly field: string;
  readonly relationshipName: string;
  readonly cascadeDelete: boolean;
}

/**
 * The child relationships of an object: every reference field of a standard object that
 * points at it and names a child relationship (Account → `Contacts`; Campaign, Contact and
 * Lead → `CampaignMembers`, deleted with their parent).
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm#childrelationship
 */
export function childRelationships(schema: ObjectSchema): ChildRelationship[] {
  const out: ChildRelationship[] = [];
  for (const child of STANDARD_OBJECTS) {
    for (const f of child.fields) {
      if (f.childRelationship && f.referenceTo.includes(schema.name)) {
        out.push({ childSObject: child.name, field: f.name, relationshipName: f.childRelationship, cascadeDelete: child.name === 'CampaignMember' });
      }
    }
  }
  return out;
}

/**
 * The describe JSON the REST API returns for an object (the subset the connector and
 * jsforce read), with `childRelationships`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
 */
export function describeJson(schema: ObjectSchema, base: string): Record<string, unknown> {
  return {
    name: schema.name,
    label: schema.label,
    keyPrefix: schema.keyPrefix,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    custom: schema.name.endsWith('__c'),
    urls: { sobject: `${base}/sobjects/${schema.name}`, describe: `${base}/sobjects/${schema.name}/describe` },
    childRelationships: childRelationships(schema).map((r) => ({
      ...r,
      deprecatedAndHidden: false,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      restrictedDelete: false,
    })),
    fields: schema.fields.map(({ childRelationship: _child, calculated, relationshipName, scale, ...f }) => ({
      ...f,
      scale: scale ?? (['double', 'currency', 'percent'].includes(f.type) ? 2 : 0),
      calculated: calculated === true,
      relationshipName: relationshipName ?? null,
      custom: f.name.endsWith('__c'),
      soapType: `xsd:${f.type === 'double' ? 'double' : f.type === 'int' ? 'int' : f.type === 'boolean' ? 'boolean' : f.type === 'date' ? 'date' : f.type === 'datetime' ? 'dateTime' : f.type === 'id' || f.type === 'reference' ? 'ID' : 'string'}`.replace('xsd:ID', 'tns:ID'),
    })),
  };
}

/** A global describe's entry for an object (`GET /sobjects`). */
export function globalDescribeEntry(schema: ObjectSchema, base: string): Record<string, unknown> {
  return {
    name: schema.name,
    label: schema.label,
    keyPrefix: schema.keyPrefix,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    custom: schema.name.endsWith('__c'),
    urls: { sobject: `${base}/sobjects/${schema.name}`, describe: `${base}/sobjects/${schema.name}/describe`, rowTemplate: `${base}/sobjects/${schema.name}/{ID}` },
  };
}
