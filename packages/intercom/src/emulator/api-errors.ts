import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from '@syncmodes/connector-kit/emulator';

/**
 * Intercom's error body: `{ type: "error.list", request_id, errors: [{ code, message, field? }] }`.
 * https://developers.intercom.com/docs/references/rest-api/errors/error-codes/
 */
export interface ErrorList {
  readonly type: 'error.list';
  readonly request_id: string;
  readonly errors: readonly { readonly code: string; readonly message: string; readonly field?: string }[];
}

/** An `error.list` body with one error. */
export function errorList(code: string, message: string, field?: string): ErrorList {
  return { type: 'error.list', request_id: randomUUID(), errors: [{ code, message, ...(field ? { field } : {}) }] };
}

/** An answer with an `error.list` body. */
export function errorResponse(status: number, code: string, message: string, field?: string): EmulatorResponse {
  return { status, body: errorList(code, message, field) };
}

/** Thrown by the workspace model; routes turn it into an `error.list` answer. */
export class IntercomApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'IntercomApiError';
  }

  toResponse(): EmulatorResponse {
    return errorResponse(this.status, this.code, this.message, this.field);
  }
}

/** 404 for a contact that does not exist or is archived (Intercom says "User Not Found"). */
export const contactNotFound = (): IntercomApiError => new IntercomApiError(404, 'not_found', 'User Not Found');
