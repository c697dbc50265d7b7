/** The `device-api` command line. */
import { Command } from 'commander';
import { demoDataCommand, migrateCommand, viewCommand } from './data.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { serveCommand, workerCommand } from './serve.js';
import { tokenCommand } from './tokens.js';

const program = new Command('device-api')
  .description('Self-hosted five(9s) Console Device API for Ivanti EPM data')
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(workerCommand());
program.addCommand(demoCommand());
program.addCommand(demoDataCommand());
program.addCommand(tokenCommand());
program.addCommand(viewCommand());
program.addCommand(migrateCommand());
program.addCommand(exportCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`device-api: ${(error as Error).message}\n`);
  process.exit(1);
}
