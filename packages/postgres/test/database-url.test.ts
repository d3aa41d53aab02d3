import { redactText } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { databaseSecrets, isPostgresUrl, redactDatabaseUrl } from '../src/database-url';

describe('connection URLs never show their credentials', () => {
  it('redacts the password and password-like query values, keeping what locates the database', () => {
    expect(redactDatabaseUrl('postgres://sync:s3cr%40t@db.example.com:5432/syncmodes?sslmode=require&password=other')).toBe(
      'postgres://sync:[redacted]@db.example.com:5432/syncmodes?sslmode=require&password=[redacted]',
    );
    expect(redactDatabaseUrl('postgresql://db/syncmodes')).toBe('postgresql://db/syncmodes');
    expect(redactDatabaseUrl('not a url')).toBe('[redacted]');
  });

  it('lists the secrets as written and decoded, so redactText scrubs any message that quotes them', () => {
    const url = 'postgres://sync:s3cr%40t@db/x';
    expect(databaseSecrets(url).sort()).toEqual(['s3cr%40t', 's3cr@t']);
    expect(redactText(`failed for ${url} (password s3cr@t)`, databaseSecrets(url))).not.toMatch(/s3cr/);
  });

  // Fresh helper 73, finding 3: both were stored in a sync definition, their password unseen.
  it('finds the password of a socket URL with an empty host, and every value of a repeated password key (node-postgres takes the last)', () => {
    const socket = 'postgres://postgres:hunter2@/sm?host=/tmp/pg&port=55490';
    expect(databaseSecrets(socket)).toEqual(['hunter2']);
    expect(redactDatabaseUrl(socket)).toBe('postgres://postgres:[redacted]@/sm?host=/tmp/pg&port=55490');
    const repeated = 'postgres://postgres@127.0.0.1:55490/sm?password=&password=hunter2';
    expect(databaseSecrets(repeated)).toEqual(['hunter2']);
    expect(redactDatabaseUrl(repeated)).not.toContain('hunter2');
    // A Postgres URL that cannot be read at all is a secret as a whole.
    expect(databaseSecrets('postgres://[::1')).toEqual(['postgres://[::1']);
  });

  it('recognises postgres:// and postgresql:// URLs only', () => {
    expect(isPostgresUrl('postgres://x')).toBe(true);
    expect(isPostgresUrl('POSTGRESQL://x')).toBe(true);
    expect(isPostgresUrl('.syncmodes')).toBe(false);
    expect(isPostgresUrl(undefined)).toBe(false);
  });
});
