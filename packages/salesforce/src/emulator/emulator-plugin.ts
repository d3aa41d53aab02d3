import type { EmulatorPlugin } from '@syncmodes/connector-kit/emulator';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from './salesforce-emulator';

/** Lets the CLI run the Salesforce emulator (`--emulator`, `syncmodes emulator salesforce`). */
export const emulatorPlugin: EmulatorPlugin = {
  destination: 'salesforce',
  seedHelp: 'JSON object of sObject type → array of records in Salesforce field names, e.g. {"Contact":[{"LastName":"Ng","Email":"ng@example.com"}]}',
  create: (options = {}) => createSalesforceEmulator({ persistPath: options.persistPath }),
  configFor: (baseUrl) => ({ instanceUrl: baseUrl, accessToken: EMULATOR_ACCESS_TOKEN }),
};
