/**
 * `bulwark policy suggest FILE...`: proposes agents and action rules (YAML, for review) from
 * the actions the audit log shows denied only for want of a rule.
 */
import { readFileSync } from 'node:fs';
import type { CliCommand, CliIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, positiveInt, stringFlag, UsageError } from './parse-flags.js';

const help = `Usage: bulwark policy suggest [options] AUDIT_LOG...

Reads the sidecar's audit log (oldest file first) and prints proposed policy additions as
YAML on stdout: agents that were denied as unregistered, and action rules for actions that
were denied because no rule matched, each seen at least --min-count times. Denials by the
built-in checks (dangerous commands, exfiltration, ...) are never proposed; they are counted
in comments. Review every suggestion before merging it into a policy.

Options:
  --min-count N      denials needed before a pattern is proposed (default 3)
  --tenant ID        only this tenant
  -h, --help         show this help
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { 'min-count': { type: 'string' }, tenant: { type: 'string' } }, Number.MAX_SAFE_INTEGER);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  if (flags.positionals.length === 0) throw new UsageError('missing AUDIT_LOG');
  const { suggestPolicy } = await import('../actions/suggest-rules.js');
  const { verifyAuditLog } = await import('../audit/verify-audit-log.js');
  const report = verifyAuditLog(flags.positionals, { hmacKey: io.env.BULWARK_AUDIT_HMAC_KEY || undefined });
  if (!report.ok) io.stderr.write(`warning: the audit log does not verify (${report.problem?.message ?? 'unknown'}); suggestions may rest on altered entries\n`);
  const entries = [];
  for (const file of flags.positionals) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        // A damaged line: already reported by the verification above.
      }
    }
  }
  const minCount = positiveInt(stringFlag(flags, 'min-count'), '--min-count');
  const tenant = stringFlag(flags, 'tenant');
  const yaml = suggestPolicy(entries, { ...(minCount !== undefined ? { minCount } : {}), ...(tenant !== undefined ? { tenant } : {}) });
  if (yaml === '') {
    io.stderr.write('no suggestions: no denial pattern reached --min-count\n');
    return ExitCode.OK;
  }
  io.stdout.write(yaml);
  return ExitCode.OK;
}

export const policySuggestCommand: CliCommand = {
  name: 'policy suggest',
  summary: 'propose agents and action rules (YAML, for review) from denials in the audit log',
  help,
  run,
};
