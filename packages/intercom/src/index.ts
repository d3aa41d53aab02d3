/** `@syncmodes/intercom`: the Intercom destination for syncmodes. */
export { intercomDestination, LOOKUP_BATCH_SIZE } from './intercom-destination';
export { intercomConfigSchema, type IntercomConfig } from './config';
export { INTERCOM_CODES, type IntercomCode } from './errors/codes';
export type { IntercomConnection } from './client/intercom-connection';
export { STANDARD_FIELDS, CUSTOM_PREFIX, type AttributeType } from './fields/contact-fields';
export { inferAttributeType, type InferredType } from './fields/attribute-types';
/** The destination under the name the CLI's registry looks for. */
export { intercomDestination as destination } from './intercom-destination';
