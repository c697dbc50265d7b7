/**
 * What differs between the databases we run on. Everything here returns SQL
 * text for trusted, quoted identifiers; values always travel as parameters.
 */
import type { Kysely, RawBuilder } from 'kysely';
import type { DB } from '../schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface SqlDialect {
  readonly name: DialectName;

  /** Column type of EPM's local wall-clock timestamps. */
  readonly localTimestampType: string;
  /** Column type of the console's UTC timestamps. */
  readonly utcTimestampType: string;

  /** A JSON object from ordered key/value SQL expressions. */
  jsonObject(pairs: [string, string][]): string;
  /** Aggregates JSON values into an array ordered by `orderBy`. */
  jsonArrayAgg(value: string, orderBy: string): string;
  /** Aggregates key/value pairs into an object ordered by `orderBy`. */
  jsonObjectAgg(key: string, value: string, orderBy: string): string;
  /** All columns of a row as a JSON object, in column order. */
  rowJson(alias: string, columns: string[]): string;
  /** Treats a value read back from a subquery as JSON, not as text. */
  asJson(expr: string): string;
  /** JSON value as text, for storing. */
  jsonText(expr: string): string;
  /** JSON literal for an empty array or object. */
  jsonLiteral(text: '[]' | '{}'): string;

  /** EPM timestamp as the API prints it: `2025-08-06T15:19:59.72`. */
  epmDate(column: string): string;
  /** Console UTC timestamp as `2025-08-01T10:00:24.6830000Z`. */
  utcDate7(column: string): string;

  /** `column` is one of the integer ids given as a single parameter. */
  inIdList(column: string, ids: number[]): RawBuilder<unknown>;

  /** Row locking clause for claiming jobs (empty where not needed). */
  readonly skipLocked: string;

  /** Text of a UTC instant as a parameter for UTC columns. */
  utcParam(date: Date): string;
  /** Text of an EPM wall time as a parameter for EPM columns. */
  localParam(wallTime: string): string;

  /** Column names of a table or view, in order. */
  columnsOf(db: Kysely<DB>, relation: string): Promise<string[]>;
}

/** Quotes an identifier for SQL (both dialects accept double quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
