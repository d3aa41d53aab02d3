import type { EmulatorPlugin } from '@syncmodes/connector-kit/emulator';
import { createIntercomEmulator, EMULATOR_ACCESS_TOKEN } from './intercom-emulator';

/** Lets the CLI run the Intercom emulator (`--emulator`, `syncmodes emulator intercom`). */
export const emulatorPlugin: EmulatorPlugin = {
  destination: 'intercom',
  seedHelp:
    'JSON object {"data_attributes":[{"name":"plan","data_type":"string"}],"tags":[{"name":"VIP"}],"contacts":[{"role":"user","external_id":"42","email":"ng@example.com","custom_attributes":{"plan":"pro"},"tags":{"data":[{"name":"VIP"}]},"archived":false}]} (Intercom API shapes)',
  create: (options = {}) => createIntercomEmulator({ persistPath: options.persistPath }),
  configFor: (baseUrl) => ({ baseUrl, accessToken: EMULATOR_ACCESS_TOKEN }),
};
