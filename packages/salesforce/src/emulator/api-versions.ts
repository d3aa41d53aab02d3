/**
 * The REST API versions an org serves: from the oldest not retired to its release's own (one
 * more each release, three a year: Spring '26 is 66.0, Winter '27 68.0). A retired version
 * answers 410 GONE (21.0 through 30.0 since Summer '25); one newer than the org's release does
 * not exist (404 `NOT_FOUND`).
 * https://help.salesforce.com/s/articleView?id=000354473&type=1 ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
 */
export interface ApiVersionRange {
  /** The oldest version served, e.g. 31. */
  readonly oldest: number;
  /** The org's release's version, e.g. 68. */
  readonly latest: number;
}

/** The versions the emulator serves by default. */
export const DEFAULT_API_VERSIONS: ApiVersionRange = { oldest: 31, latest: 68 };

/** How a version (a path segment such as `v62.0`) is answered: served, retired (410) or unknown (404). */
export function versionStatus(range: ApiVersionRange, version: string): 'served' | 'retired' | 'unknown' {
  const m = /^v(\d+)\.0$/.exec(version);
  if (m === null || Number(m[1]) > range.latest) return 'unknown';
  return Number(m[1]) < range.oldest ? 'retired' : 'served';
}

/** The Versions resource's answer (`GET /services/data/`): every version served, oldest first. */
export function versionsList(range: ApiVersionRange): { label: string; url: string; version: string }[] {
  const out: { label: string; url: string; version: string }[] = [];
  for (let v = range.oldest; v <= range.latest; v++) out.push({ label: `v${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
  return out;
}
