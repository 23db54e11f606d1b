/**
 * `bulwark migrate`: applies pending control-plane SQL migrations and exits. Safe to run
 * while another replica migrates (an advisory lock serialises them); `bulwark control` also
 * migrates at start, so this is for deployments that migrate as a separate step.
 */
import type { CliCommand, CliIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags } from './parse-flags.js';
import { STORAGE_FLAGS, STORAGE_HELP, storageConfig } from './storage-flags.js';
import { migrate } from '../store/migrate.js';
import { describeStorage, openDatabase } from '../store/open-database.js';

const help = `Usage: bulwark migrate [options]

Applies pending SQL migrations to the control plane's database: PostgreSQL when
DATABASE_URL is set, otherwise embedded PGlite in the data directory. Idempotent.

Options:
${STORAGE_HELP}
  -h, --help          show this help
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, STORAGE_FLAGS, 0);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const storage = storageConfig(flags, io.env);
  const db = await openDatabase(storage);
  try {
    const report = await migrate(db);
    const where = describeStorage(storage);
    io.stdout.write(
      report.applied.length > 0
        ? `${where}: applied ${report.applied.join(', ')}; schema version ${report.currentVersion}\n`
        : `${where}: up to date at schema version ${report.currentVersion}\n`,
    );
    return ExitCode.OK;
  } finally {
    await db.close();
  }
}

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: "apply the control plane's pending SQL migrations (DATABASE_URL or --data-dir)",
  help,
  run,
};
