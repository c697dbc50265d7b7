import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../src/db/connect.js';

describe('database URLs', () => {
  it.each([
    ['sqlite:./data/x.sqlite', resolve('data/x.sqlite')],
    ['sqlite://data/x.sqlite', resolve('data/x.sqlite')],
    ['file:/tmp/x.db', '/tmp/x.db'],
    ['./plain/path.sqlite', resolve('plain/path.sqlite')],
  ])('reads %s as a SQLite file', (url, file) => {
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'sqlite', file });
  });

  it.each(['postgres://u:p@h:5432/db', 'POSTGRESQL://h/db?sslmode=require'])(
    'reads %s as PostgreSQL',
    (url) => {
      expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgres', url });
    },
  );

  it.each(['mysql://h/db', 'postgress://h/db', 'sqlserver:h'])(
    'refuses the unknown scheme of %s instead of creating a file',
    (url) => {
      expect(() => parseDatabaseUrl(url)).toThrow(/Unsupported database URL/);
    },
  );

  it('refuses an in-memory SQLite database', () => {
    expect(() => parseDatabaseUrl('sqlite::memory:')).toThrow(/must be a file/);
  });
});
