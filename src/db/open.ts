import type { Config } from '../config.js';
import { connect, type Connection } from './connect.js';
import { migrate } from './migrations.js';

/** Opens the database and brings its schema up to date. */
export async function openDatabase(
  config: Config,
  applicationName?: string,
): Promise<Connection> {
  const conn = connect(config.database, {
    poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
    applicationName,
  });
  try {
    await migrate(conn.db, conn.dialect);
  } catch (error) {
    await conn.close();
    throw error;
  }
  return conn;
}
