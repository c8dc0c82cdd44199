// `pnpm arvlite <command>`: the installation's admin CLI (issue #20).
//
// Exit codes scripts can trust: 0 done, 1 failed or refused (nothing was half-applied), 2 usage error (help printed).
import { ConfigError, processEnv } from '@arvlite/config';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.ts';
import { registerStorageCommands } from './storage-commands.ts';
import { CliError, UsageError } from './errors.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function buildProgram(): Command {
  const program = new Command('arvlite')
    .description('Operate an ARVlite installation: admins, quotas, jobs, backups, migrations and health checks.')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 failed or refused (nothing half-applied), 2 usage error.\n' +
        'Configuration: the same environment as the platform (DATABASE_URL, S3_*, DATA_DIR …); without DATABASE_URL\n' +
        'and S3_ENDPOINT it uses the embedded services of a running `pnpm start`.',
    );
  registerCommands(program);
  registerStorageCommands(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not failures; anything else (a bare command group among them) is a usage error,
      // and commander has already printed the error and the help.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${err.command.helpInformation()}`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.failure;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.failure;
    }
    // Unexpected: the message, and with LOG_LEVEL=debug the stack.
    const debug = ['debug', 'trace'].includes(processEnv().LOG_LEVEL ?? '');
    process.stderr.write(`error: ${err instanceof Error ? (debug ? err.stack : err.message) : String(err)}\n`);
    return EXIT.failure;
  }
}

process.exitCode = await main(process.argv.slice(2));
