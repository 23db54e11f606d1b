/**
 * The `bulwark` command: picks the subcommand and runs it. Everything else lives in one
 * file per command. Exit codes: see exit-codes.ts.
 */
import type { CliCommand, CliIo } from './cli-command.js';
import { processIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './parse-flags.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import { EngineError } from '../engine/engine-error.js';
import { scanCommand } from './scan-command.js';
import { scanJsonlCommand } from './scan-jsonl-command.js';
import { policyValidateCommand } from './policy-validate-command.js';
import { sidecarCommand } from './sidecar-command.js';
import { decryptCommand } from './decrypt-command.js';
import { controlCommand } from './control-command.js';
import { migrateCommand } from './migrate-command.js';
import { tokenCommand } from './token-command.js';
import { feedbackCommand } from './feedback-command.js';
import { policyApplyCommand } from './policy-apply-command.js';
import { policyDiffCommand } from './policy-diff-command.js';
import { policyGetCommand } from './policy-get-command.js';
import { policyListCommand } from './policy-list-command.js';
import { auditVerifyCommand } from './audit-verify-command.js';
import { policySuggestCommand } from './policy-suggest-command.js';

const commands: readonly CliCommand[] = [
  sidecarCommand,
  scanCommand,
  scanJsonlCommand,
  policyValidateCommand,
  decryptCommand,
  controlCommand,
  migrateCommand,
  tokenCommand,
  feedbackCommand,
  policyApplyCommand,
  policyDiffCommand,
  policyGetCommand,
  policyListCommand,
  policySuggestCommand,
  auditVerifyCommand,
];

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: bulwark <command> [options]',
    '',
    'Bulwark scans LLM and agent traffic for prompt injection, PII, secrets and more.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'bulwark <command> --help' for a command's options.",
    'Exit codes: 0 ok, 1 error, 2 blocked (scan), 64 usage.',
    '',
  ].join('\n');
}

/** Finds the command named by the leading words of argv; returns it with the remaining args. */
function selectCommand(argv: string[]): { command: CliCommand; args: string[] } | undefined {
  const [first, second, ...rest] = argv;
  if (first === 'scan') {
    // --jsonl switches to a different command with its own flags (and --help).
    const command = argv.includes('--jsonl') ? scanJsonlCommand : scanCommand;
    return { command, args: argv.slice(1) };
  }
  if (first === 'policy' && second === 'validate') return { command: policyValidateCommand, args: rest };
  if (first === 'audit' && second === 'verify') return { command: auditVerifyCommand, args: rest };
  const policySub = first === 'policy' ? commands.find((c) => c.name === `policy ${second}`) : undefined;
  if (policySub) return { command: policySub, args: rest };
  const command = commands.find((c) => c.name === first);
  return command ? { command, args: argv.slice(1) } : undefined;
}

/** Reports an error on stderr and returns its exit code. Messages never include scanned content. */
function reportError(err: unknown, io: CliIo, commandName: string | undefined): number {
  if (err instanceof UsageError) {
    const helpCmd = commandName ? `bulwark ${commandName} --help` : 'bulwark --help';
    io.stderr.write(`bulwark: ${err.message}\nRun '${helpCmd}' for usage.\n`);
    return ExitCode.USAGE;
  }
  if (err instanceof PolicyValidationError) {
    io.stderr.write(`bulwark: invalid policy: ${err.message}\n`);
    return ExitCode.ERROR;
  }
  if (err instanceof EngineError) {
    io.stderr.write(`bulwark: scan failed (${err.code}): ${err.message}\n`);
    return ExitCode.ERROR;
  }
  io.stderr.write(`bulwark: ${(err as Error)?.message ?? String(err)}\n`);
  return ExitCode.ERROR;
}

/** Runs the CLI with `argv` (without "node" and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout).write(topHelp());
    return argv.length === 0 ? ExitCode.USAGE : ExitCode.OK;
  }
  const selected = selectCommand(argv);
  if (!selected) {
    const what = argv[0] === 'policy' ? `unknown policy subcommand "${argv[1] ?? ''}"` : `unknown command "${argv[0]}"`;
    return reportError(new UsageError(what), io, undefined);
  }
  try {
    return await selected.command.run(selected.args, io);
  } catch (err) {
    return reportError(err, io, selected.command.name);
  }
}

// A closed pipe downstream (`bulwark scan --jsonl | head`) is a normal way to stop.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.OK);
  throw err;
});

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Normally the process ends here by itself. If a library left a handle open (a timer, a
// socket), do not hang: exit anyway once pending output has had a moment to flush.
setTimeout(() => process.exit(code), 2_000).unref();
