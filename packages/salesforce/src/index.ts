/** `@syncmodes/salesforce`: the Salesforce destination for syncmodes. */
export { salesforceDestination } from './salesforce-destination';
export { salesforceConfigSchema, type SalesforceConfig } from './config';
export { SALESFORCE_CODES, type SalesforceCode } from './errors/codes';
export type { SalesforceClient } from './client/salesforce-client';
export { convertValue } from './fields/field-values';
export { soqlLiteral } from './client/soql-literal';
/** The destination under the name the CLI's registry looks for. */
export { salesforceDestination as destination } from './salesforce-destination';
