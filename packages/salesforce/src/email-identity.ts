/**
 * A record's Email as one of its identifiers besides the match key (`identityKeys`,
 * `FoundRecord.identities`): `email:` and the address, trimmed and lower-cased. The prefix
 * keeps identifiers apart from match keys, which are a field's bare values: a
 * `Customer_Id__c` value that reads like another row's Email is not that row's identifier.
 */
export const emailIdentity = (email: string): string => `email:${email}`;
