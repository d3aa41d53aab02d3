/** The Intercom REST API 2.14 emulator (`@syncmodes/intercom/emulator`). */
export { createIntercomEmulator, EMULATOR_ACCESS_TOKEN, type ApiExchange, type IntercomEmulatorOptions } from './intercom-emulator';
export { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limiter';
export { Workspace, type WorkspaceOptions } from './workspace';
export { seedWorkspace, snapshotWorkspace, type WorkspaceSnapshot } from './workspace-data';
export { compileQuery, MAX_FILTERS_PER_GROUP, MAX_NESTING } from './contact-search';
export { DEFAULT_PER_PAGE, MAX_PER_PAGE } from './pages';
export { IntercomApiError, errorList, type ErrorList } from './api-errors';
export type { StoredContact, StoredTag, DeletedContact, AttributeValue } from './stored-contact';
export type { CustomAttribute, DataAttributeJson, DataType } from './data-attributes';
export { emulatorPlugin } from './emulator-plugin';
