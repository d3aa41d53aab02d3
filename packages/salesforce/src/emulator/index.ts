/** The Salesforce REST API emulator (`@syncmodes/salesforce/emulator`). */
export {
  COLLECTION_LIMIT,
  EMULATOR_ACCESS_TOKEN,
  MAX_URI_LENGTH,
  createSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from './salesforce-emulator';
export { Org, type OrgOptions, type SaveResult, type SfError, type SfRecord } from './org';
export { STANDARD_OBJECTS, customField, type FieldSchema, type FieldType, type ObjectSchema } from './org-schema';
export { parseSoql, type SoqlQuery } from './soql';
export { salesforceId, caseSafeSuffix } from './salesforce-ids';
export { emulatorPlugin } from './emulator-plugin';
export { BulkJobs, BULK_UPLOAD_LIMIT_BYTES, type BulkSettings, type IngestOperation, type JobState } from './bulk-jobs';
