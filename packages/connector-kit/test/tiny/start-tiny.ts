import { EmulatorClient } from '../../src/emulator/index';
import { createTinyEmulator } from './tiny-emulator';

/** A started tiny emulator, its URL and an admin client (for `perTestEmulator`). */
export async function startTiny(): Promise<{ emulator: ReturnType<typeof createTinyEmulator>; url: string; admin: EmulatorClient }> {
  const emulator = createTinyEmulator();
  const url = await emulator.start();
  return { emulator, url, admin: new EmulatorClient(url) };
}
