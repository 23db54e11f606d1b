/** The shape every subcommand implements, and the streams it talks to (injectable for tests). */
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** The words that select the command, e.g. "scan" or "policy validate". */
  readonly name: string;
  /** One line for `bulwark --help`. */
  readonly summary: string;
  /** The full `bulwark <cmd> --help` text. */
  readonly help: string;
  /** Runs the command; resolves to the process exit code. Throws UsageError for bad invocations. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
