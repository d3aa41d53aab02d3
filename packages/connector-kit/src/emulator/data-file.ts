import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { removeStaleTemps } from './stale-temps';
import type { EmulatorData } from './types';

/** How long a change made outside any request (e.g. a Salesforce Bulk API job) may stay unsaved, ms. */
const BACKGROUND_SAVE_MS = 100;
/** How long after a failed save (disk full, read-only…) the next try is, ms. */
const RETRY_SAVE_MS = 1_000;

/**
 * The JSON file an emulator keeps its data in between runs (`persistPath` of
 * `EmulatorServer`): loaded when the emulator is made, saved whole and atomically (a
 * `<path>.<pid>.tmp` file, then a rename) after changes, before any answer leaves the
 * emulator — so whatever it acknowledged is in the file, even if the process is killed
 * right after.
 *
 * Saves are group commits: the answers waiting when a save starts (`afterSave`) all leave
 * after that one save, at the end of the event-loop turn. With a client's calls in flight
 * at once (Intercom's 8, OneSignal's 50 by default), one save covers several changes
 * instead of one each: a 1,000-person Intercom run saved 253 times instead of 1,001 (3.4 s
 * instead of 8.2 s). A save still writes the whole data, so a run's cost still grows with
 * the square of its records, divided by the calls in flight (10,000 Intercom people: 189 s).
 * A save that fails is tried again every second until one succeeds (a background change
 * is then saved without waiting for the next request).
 */
export class DataFile {
  /** Data changed since the last save. */
  private dirty = false;
  private backgroundTimer: NodeJS.Timeout | undefined;
  private saveScheduled: NodeJS.Immediate | undefined;
  private waiting: ((saved: boolean) => void)[] = [];
  private closed = false;

  /** `onError`: told when a save fails (the file system's error); the data stays marked changed, so the next answer tries again. */
  constructor(
    private readonly path: string,
    private readonly data: EmulatorData,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Removes temp files left by processes killed mid-save, then loads the file into the data when it exists. @throws Error when the file is not valid JSON or the data refuses it. */
  load(): void {
    removeStaleTemps(this.path);
    if (existsSync(this.path)) this.data.load(JSON.parse(readFileSync(this.path, 'utf8')));
  }

  /** Marks the data changed: saved before the next answer leaves, and within 100 ms otherwise. */
  changed(): void {
    this.dirty = true;
    this.backgroundTimer ??= setTimeout(() => this.trySave(), BACKGROUND_SAVE_MS);
  }

  /**
   * Saves the data now (changed or not).
   *
   * @throws the file system's error (disk full, read-only…); the data stays marked changed.
   */
  save(): void {
    if (this.backgroundTimer) clearTimeout(this.backgroundTimer);
    this.backgroundTimer = undefined;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      // The emulated records are the synced people's data: readable by the owner only, as the state file (fresh reviewer 142, F6).
      writeFileSync(tmp, JSON.stringify(this.data.snapshot()), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (error) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // not a file we can remove (a folder in its way): the write's error is the one to report
      }
      throw error;
    }
    this.dirty = false;
  }

  /**
   * Calls `send` once every change made so far is saved: at once when none is unsaved, else
   * after the save that ends this event-loop turn (one save for every answer waiting then).
   * `send` gets `false` when that save failed: nothing unsaved may be acknowledged.
   */
  afterSave(send: (saved: boolean) => void): void {
    if (!this.dirty) return send(true);
    this.waiting.push(send);
    this.saveScheduled ??= setImmediate(() => {
      this.saveScheduled = undefined;
      const saved = this.trySave();
      for (const release of this.waiting.splice(0)) release(saved);
    });
  }

  /** Saves what is unsaved (reporting a failure to `onError`) and drops answers still waiting (their connections are closed). */
  close(): void {
    this.closed = true;
    if (this.saveScheduled) clearImmediate(this.saveScheduled);
    this.saveScheduled = undefined;
    this.waiting = [];
    this.trySave();
  }

  private trySave(): boolean {
    try {
      this.save();
      return true;
    } catch (error) {
      this.onError(error);
      if (!this.closed) this.backgroundTimer ??= setTimeout(() => this.trySave(), RETRY_SAVE_MS);
      return false;
    }
  }
}
