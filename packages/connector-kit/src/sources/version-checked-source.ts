import { statSync, type Stats } from 'node:fs';
import { InputError } from '../errors/sync-error';
import type { RecordSource, SourceItem } from '../records/types';

/** What tells one version of a file from another: its inode, size and modification time. */
function versionOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

/**
 * A file source whose every read is checked against the file as it was when the run first
 * opened it: when its inode, size or modification time differ once a read has ended (an
 * export rewritten in place, cut short or appended to while the run read it), that read
 * ends with {@link InputError} `unreadable_file` instead of its last item, so the run stops
 * before deciding who left the source (fourteenth trial of #17: a file cut from 50,000 to
 * 49,600 rows while read planned 400 deletes). The engine reads a source more than once;
 * a file changed between two reads is refused the same way.
 */
export function versionCheckedSource(source: RecordSource, path: string): RecordSource {
  let first: string | undefined;
  // A file that cannot be read is the source's to report (file_not_found, unreadable_file); one gone after a read has changed.
  const now = (): string | undefined => {
    try {
      return versionOf(statSync(path));
    } catch {
      return undefined;
    }
  };
  return {
    ...source,
    async *open(): AsyncGenerator<SourceItem> {
      first ??= now();
      yield* source.open();
      if (first !== undefined && now() !== first) {
        throw new InputError(
          'unreadable_file',
          `"${path}" changed while syncmodes read it (its size or modification time is not what it was when the run began): what was read may mix two versions of it, so the run stopped and nothing is deleted. Write the file elsewhere and move it into place once complete (a rename), then run again.`,
        );
      }
    },
  };
}
