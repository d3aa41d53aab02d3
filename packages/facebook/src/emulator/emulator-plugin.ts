import type { EmulatorPlugin } from '@syncmodes/connector-kit/emulator';
import { EMULATOR_AD_ACCOUNT_ID } from './audience-store';
import { createFacebookEmulator, EMULATOR_ACCESS_TOKEN } from './facebook-emulator';

/** Lets the CLI run the Facebook emulator (`--emulator`, `syncmodes emulator facebook`). */
export const emulatorPlugin: EmulatorPlugin = {
  destination: 'facebook',
  seedHelp:
    'JSON {"audiences": [{"name": "VIP", "accountId"?: "act_1000", "members"?: [{"EMAIL": "<sha256 hex>"}]}], "settings"?: {"lowAudienceSize": 100}} (members as hashed schema-key rows)',
  create: (options = {}) => createFacebookEmulator({ persistPath: options.persistPath }),
  configFor: (baseUrl) => ({ baseUrl, adAccountId: EMULATOR_AD_ACCOUNT_ID, accessToken: EMULATOR_ACCESS_TOKEN }),
};
