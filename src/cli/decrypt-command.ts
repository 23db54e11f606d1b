/**
 * `bulwark decrypt`: reverses the `encrypt` anonymizer operator for someone who holds the
 * tenant's key: one token given as an argument, or every token inside a redacted text on
 * stdin (the rest of the text passes through unchanged).
 */
import { readFileSync } from 'node:fs';
import type { CliCommand, CliIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';
import { readAllText } from './read-stream.js';

const help = `Usage: bulwark decrypt TOKEN (--key-env NAME | --key-file FILE)
       bulwark decrypt (--key-env NAME | --key-file FILE) < redacted.txt

Reverses the "encrypt" operator (AES-256-GCM tokens "bwenc:v1:…"). With TOKEN, prints its
plaintext. Without TOKEN, reads text from stdin and prints it with every token replaced
by its plaintext.

Options:
  --key-env NAME   read the base64 AES-256 key from environment variable NAME
  --key-file FILE  read the base64 AES-256 key from FILE (surrounding whitespace ignored)
  -h, --help       show this help

The key is the policy's encryption key for the tenant that produced the token. Passing
the key itself on the command line is not supported (it would land in shell history).

Exit codes: 0 ok, 1 wrong key / modified or malformed token, 64 usage.
`;

/** Reads the key from the one source given; the key never appears in messages. */
function readKey(keyEnv: string | undefined, keyFile: string | undefined, io: CliIo): string {
  if ((keyEnv === undefined) === (keyFile === undefined)) throw new UsageError('give exactly one of --key-env or --key-file');
  if (keyEnv !== undefined) {
    const key = io.env[keyEnv];
    if (!key) throw new Error(`environment variable ${keyEnv} is not set or empty`);
    return key;
  }
  try {
    return readFileSync(keyFile as string, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read key file ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { 'key-env': { type: 'string' }, 'key-file': { type: 'string' } }, 1);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const key = readKey(stringFlag(flags, 'key-env'), stringFlag(flags, 'key-file'), io);
  const { decryptValue, ENCRYPTED_TOKEN_PATTERN } = await import('../redaction/field-encryption.js');
  const token = flags.positionals[0];
  if (token !== undefined) {
    io.stdout.write(decryptValue(token, key) + '\n');
    return ExitCode.OK;
  }
  const text = await readAllText(io.stdin);
  // replace() with a global pattern starts from index 0 whatever lastIndex says.
  io.stdout.write(text.replace(ENCRYPTED_TOKEN_PATTERN, (t) => decryptValue(t, key)));
  return ExitCode.OK;
}

export const decryptCommand: CliCommand = {
  name: 'decrypt',
  summary: 'reverse the encrypt operator for a token, or for every token in stdin',
  help,
  run,
};
