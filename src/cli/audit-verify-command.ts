/**
 * `bulwark audit verify FILE...`: checks the hash chain of audit log files (oldest first:
 * FILE.000001 FILE.000002 ... FILE) and the checkpoints. Exit 0 when intact; 1 naming the
 * first broken link, deleted or reordered entry, edit or truncation.
 */
import { existsSync } from 'node:fs';
import type { CliCommand, CliIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';
import type { VerifyOptions } from '../audit/verify-audit-log.js';

const help = `Usage: bulwark audit verify [options] FILE...

Verifies the hash chain of the sidecar's audit log (bulwark sidecar --audit-log FILE).
Give rotated files first, oldest first: FILE.000001 FILE.000002 ... FILE.

Checks every entry's hash, that sequence numbers run without gaps or reordering, that each
entry names its predecessor's hash, and every checkpoint against the log (a checkpoint past
the log's end means the log was truncated).

Options:
  --checkpoints FILE     checkpoints to check against (default: LOG.checkpoints next to the
                         last file, when it exists)
  --hmac-key-env NAME    environment variable holding the HMAC key the sidecar used
                         (default BULWARK_AUDIT_HMAC_KEY, when set)
  --control-plane ADDR   check against the checkpoints the sidecar shipped to the control
                         plane instead of a local file (token in BULWARK_TOKEN, role viewer
                         or above, of the tenant the sidecar's token names)
  --node-id ID           with --control-plane: the sidecar whose log this is
  -h, --help             show this help

Exit codes: 0 intact, 1 broken (the first problem is printed as FILE:LINE seq N: message).
`;

/** With --control-plane: the checkpoints the control plane holds for --node-id. */
async function remoteCheckpoints(flags: ParsedFlags, env: NodeJS.ProcessEnv): Promise<VerifyOptions['checkpointList']> {
  const address = stringFlag(flags, 'control-plane');
  const nodeId = stringFlag(flags, 'node-id');
  if (!address) {
    if (nodeId) throw new UsageError('--node-id needs --control-plane');
    return undefined;
  }
  if (!nodeId) throw new UsageError('--control-plane needs --node-id (the sidecar whose log this is)');
  const [{ connectAdmin }, { fetchAuditCheckpoints }] = await Promise.all([import('./control-plane-client.js'), import('./audit-checkpoints-remote.js')]);
  const admin = connectAdmin({ ...flags, values: { ...flags.values, server: address } }, env);
  try {
    return { source: `control plane ${address} (${nodeId})`, list: await fetchAuditCheckpoints(admin, nodeId) };
  } finally {
    admin.close();
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(
    args,
    { checkpoints: { type: 'string' }, 'hmac-key-env': { type: 'string' }, 'control-plane': { type: 'string' }, 'node-id': { type: 'string' } },
    Number.MAX_SAFE_INTEGER,
  );
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const files = flags.positionals;
  if (files.length === 0) throw new UsageError('missing FILE');
  for (const f of files) if (!existsSync(f)) throw new UsageError(`no such file: ${f}`);
  const { verifyAuditLog } = await import('../audit/verify-audit-log.js');
  const { AUDIT_HMAC_KEY_ENV } = await import('../audit/audit-chain.js');
  const keyEnv = stringFlag(flags, 'hmac-key-env');
  const hmacKey = keyEnv ? io.env[keyEnv] : io.env[AUDIT_HMAC_KEY_ENV] || undefined;
  if (keyEnv && !hmacKey) throw new UsageError(`environment variable ${keyEnv} is not set`);
  const last = files[files.length - 1] as string;
  const defaultCheckpoints = `${last.replace(/\.\d{6}$/, '')}.checkpoints`;
  const checkpoints = stringFlag(flags, 'checkpoints') ?? (existsSync(defaultCheckpoints) ? defaultCheckpoints : undefined);

  const remote = await remoteCheckpoints(flags, io.env);
  const report = verifyAuditLog(files, { hmacKey, checkpoints: remote ? undefined : checkpoints, checkpointList: remote });
  for (const note of report.notes) io.stderr.write(`note: ${note}\n`);
  if (!report.ok && report.problem) {
    const p = report.problem;
    io.stderr.write(`BROKEN: ${p.file}:${p.line}${p.seq !== undefined ? ` seq ${p.seq}` : ''}: ${p.message}\n`);
    return ExitCode.ERROR;
  }
  const cp = checkpoints || remote ? `, ${report.checkpointsVerified} checkpoint(s) verified` : ', no checkpoints (truncation at the end cannot be detected)';
  io.stdout.write(`OK: ${report.entries} entries (seq ${report.firstSeq}..${report.lastSeq}), head ${report.headHash}${cp}\n`);
  return ExitCode.OK;
}

export const auditVerifyCommand: CliCommand = {
  name: 'audit verify',
  summary: 'verify the audit log hash chain and checkpoints (exit 1 names the first broken entry)',
  help,
  run,
};
