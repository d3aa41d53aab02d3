import { csvSource, type FieldMapping } from '@syncmodes/connector-kit';
import { sharedDataFile } from '../../../tools/test/shared-data';

/** The shared people sample (`shared/data/people-1000.csv` beside the project; a test file using it fails, naming where it looked, when it is absent). */
export const PEOPLE_CSV = sharedDataFile('people-1000.csv');

/** How the CLI would map it: `--map external_id="User Id" --map first_name="First Name" … --groups Sex`. */
export const PEOPLE_MAPPING: FieldMapping = {
  idColumn: 'User Id',
  fields: {
    external_id: 'User Id',
    first_name: 'First Name',
    last_name: 'Last Name',
    email: 'Email',
    phone: 'Phone',
    date_of_birth: 'Date of birth',
    job_title: 'Job Title',
  },
  groupsColumn: 'Sex',
};

/** Config options the sample needs: dates are written dd-MM-yyyy. */
export const PEOPLE_OPTIONS = { dateTags: ['date_of_birth'], dateFormat: 'dd-MM-yyyy' };

/** Every row of a people CSV as `{ index, externalId, tags }` (tags as the connector should write them). */
export async function peopleRows(path = PEOPLE_CSV): Promise<{ index: number; externalId: string; row: Record<string, string | null>; groups: readonly string[] }[]> {
  const out: { index: number; externalId: string; row: Record<string, string | null>; groups: readonly string[] }[] = [];
  const source = csvSource(path, { ...PEOPLE_MAPPING, fields: { ...PEOPLE_MAPPING.fields, index: 'Index' } });
  for await (const item of source.open()) {
    if (item.kind !== 'record') throw new Error(`unreadable row ${item.row}`);
    const p = item.snapshot.properties as Record<string, string | null>;
    out.push({ index: Number(p.index), externalId: String(p.external_id), row: p, groups: item.snapshot.groups });
  }
  return out;
}

/** Unix seconds (UTC midnight) of a dd-MM-yyyy date, computed independently of the connector. */
export function utcSeconds(ddMMyyyy: string): string {
  const [d, m, y] = ddMMyyyy.split('-').map(Number) as [number, number, number];
  return String(Date.UTC(y, m - 1, d) / 1000);
}
