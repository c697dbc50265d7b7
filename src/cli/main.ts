/**
 * The `device-api` command line. Only the module of the command being run is
 * loaded, so a quick command does not pay for the HTTP server's start-up.
 */
import { Command } from 'commander';

type Loader = () => Promise<Command[]>;

const commands: Record<string, Loader> = {
  serve: async () => [(await import('./serve.js')).serveCommand()],
  worker: async () => [(await import('./serve.js')).workerCommand()],
  demo: async () => [(await import('./demo.js')).demoCommand()],
  'demo-data': async () => [(await import('./data.js')).demoDataCommand()],
  token: async () => [(await import('./tokens.js')).tokenCommand()],
  view: async () => [(await import('./data.js')).viewCommand()],
  migrate: async () => [(await import('./data.js')).migrateCommand()],
  export: async () => [(await import('./export.js')).exportCommand()],
};

async function program(name: string | undefined): Promise<Command> {
  const root = new Command('device-api')
    .description('Self-hosted five(9s) Console Device API for Ivanti EPM data')
    .showHelpAfterError();

  const wanted =
    name && commands[name] ? [commands[name]] : Object.values(commands);
  for (const load of wanted) {
    for (const command of await load()) root.addCommand(command);
  }
  return root;
}

try {
  const root = await program(process.argv[2]);
  await root.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`device-api: ${(error as Error).message}\n`);
  process.exit(1);
}
