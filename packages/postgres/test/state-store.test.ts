import { describeStateStoreContract } from '@syncmodes/connector-kit/testing';
import { beforeAll, inject } from 'vitest';
import { PostgresStateStore } from '../src/index';
import { createTestDatabase } from '../src/testing/index';

let url: string;
let n = 0;
beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'state_contract');
});

// Each test gets its own schema in the file's database, so tests never see each other's rows.
describeStateStoreContract('Postgres', () => PostgresStateStore.open(url, { schema: `contract_${++n}` }), { largeIndexSize: 200_000 });
