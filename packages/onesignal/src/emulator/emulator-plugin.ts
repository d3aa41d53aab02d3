import type { EmulatorPlugin } from '@syncmodes/connector-kit/emulator';
import { createOneSignalEmulator, EMULATOR_REST_API_KEY } from './onesignal-emulator';
import { EMULATOR_APP_ID } from './users';

/** Lets the CLI run the OneSignal emulator (`--emulator`, `syncmodes emulator onesignal`). */
export const emulatorPlugin: EmulatorPlugin = {
  destination: 'onesignal',
  seedHelp:
    'JSON {"app_id"?: "<app id>", "tag_limit"?: 10, "users": [{"identity": {"external_id": "u1"}, "properties": {"tags": {"plan": "pro"}}}]} (users in the API\'s own shape)',
  create: (options = {}) => createOneSignalEmulator({ persistPath: options.persistPath }),
  configFor: (baseUrl) => ({ baseUrl, appId: EMULATOR_APP_ID, restApiKey: EMULATOR_REST_API_KEY }),
};
