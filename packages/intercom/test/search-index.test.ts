import { describe, expect, it } from 'vitest';
import { compileQuery, Workspace } from '../src/emulator/index';

describe('Intercom emulator: indexed search finds what a scan finds, in the same order', () => {
  it('for the queries the connector sends and others, after creates, updates, archives and deletes', () => {
    const ws = new Workspace();
    for (let i = 0; i < 40; i++) ws.createContact({ role: i % 5 === 0 ? 'lead' : 'user', external_id: `x${i}`, email: `P${i}@Example.com`, name: `n${i}` });
    const ids = ws.contacts.map((c) => c.id);
    ws.updateContact(ids[3] as string, { email: 'moved3@example.com' });
    ws.updateContact(ids[4] as string, { external_id: 'x4-new' });
    ws.archive(ids[6] as string);
    ws.deleteContact(ids[7] as string);
    ws.createContact({ role: 'user', external_id: 'late', email: 'p3@example.com' });
    const queries: unknown[] = [
      { field: 'external_id', operator: 'IN', value: ['x1', 'x4', 'x4-new', 'x6', 'x7', 'late', 'nobody'] },
      { field: 'email', operator: 'IN', value: ['p3@example.com', 'MOVED3@example.com', 'p5@example.com', 'p8@EXAMPLE.com'] },
      { operator: 'OR', value: [{ field: 'external_id', operator: 'IN', value: ['x9', 'x10'] }, { field: 'email', operator: 'IN', value: ['p10@example.com', 'p11@example.com'] }] },
      { operator: 'AND', value: [{ field: 'email', operator: '=', value: 'p12@example.com' }, { field: 'role', operator: '=', value: 'user' }] },
      { field: 'id', operator: '=', value: ids[2] },
      { field: 'name', operator: '~', value: 'n1' },
    ];
    for (const query of queries) {
      const matches = compileQuery(query, ws.attributes);
      expect(ws.searchCandidates(query).filter(matches).map((c) => c.id)).toEqual(ws.searchable().filter(matches).map((c) => c.id));
    }
    expect(ws.searchCandidates(queries[0]).filter(compileQuery(queries[0], ws.attributes)).map((c) => c.external_id)).toEqual(['x1', 'x4-new', 'late']);
  });
});
