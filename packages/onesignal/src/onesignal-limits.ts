/**
 * Most tag changes ("property modifications") one user update may carry.
 * https://documentation.onesignal.com/reference/rate-limits
 */
export const MAX_TAG_CHANGES = 100;
