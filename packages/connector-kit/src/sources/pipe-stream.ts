import { constants, createReadStream, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { sourceFileError } from './source-file';

/**
 * A readable stream over a file that can be read only once (see `isStreamFile`). A named pipe
 * is opened without waiting (`O_NONBLOCK`) and read as the event loop's pipe: until a writer
 * comes, nothing blocks (neither the process nor a thread of its pool), so the run can still
 * be stopped (Ctrl-C, SIGTERM); it ends when the last writer closes it. Anything else (a
 * character device) is opened at once and read as a file.
 *
 * @throws `InputError` `file_not_found` / `unreadable_file` when it cannot be opened (a socket cannot).
 */
export function openPipeStream(path: string): Readable {
  try {
    const fifo = statSync(path).isFIFO();
    const fd = openSync(path, fifo ? constants.O_RDONLY | constants.O_NONBLOCK : constants.O_RDONLY);
    return fifo ? new Socket({ fd, readable: true, writable: false }) : createReadStream('', { fd });
  } catch (error) {
    throw sourceFileError(error, path);
  }
}
