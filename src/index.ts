/**
 * The package's entry: the typed client for other projects, and the pieces
 * needed to embed the service in another Node.js program.
 */
export * from './client/index.js';
export { startService, openDatabase, type RunningService } from './app.js';
export { loadConfig, type Config } from './config.js';
