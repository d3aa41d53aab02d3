/**
 * The identity options that name the destination *account* (whose quota every sync into it
 * shares), per built-in destination: the Salesforce org (instance URL), the Intercom
 * workspace (region host and workspace name), the Facebook ad account, the OneSignal app.
 */
const ACCOUNT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  salesforce: ['instanceUrl'],
  intercom: ['baseUrl', 'workspace'],
  facebook: ['adAccountId'],
  onesignal: ['appId'],
};

/**
 * The destination account a sync writes to, as `<destination>:<value>[|<value>…]` (e.g.
 * `salesforce:https://acme.my.salesforce.com`): the key of the rate limit and of the cap
 * on concurrent runs shared by every worker. Built from the sync's identity options (never
 * secrets); for a destination not listed here, from all of them (each distinct identity
 * then counts as its own account, which never merges two accounts' budgets).
 */
export function accountKeyOf(destination: string, identity: Readonly<Record<string, unknown>>): string {
  const fields = ACCOUNT_FIELDS[destination] ?? Object.keys(identity).sort();
  const values = fields.map((f) => {
    const v = identity[f];
    return v === undefined || v === null ? '' : String(v).replace(/\/+$/, '');
  });
  return `${destination}:${values.join('|')}`;
}
