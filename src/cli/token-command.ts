/**
 * `bulwark token`: mints a development token (HS256, signed with BULWARK_JWT_SECRET) for the
 * control plane's admin API, and prints only the token, so `TOKEN=$(bulwark token ...)` works.
 */
import type { CliCommand, CliIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { durationSeconds } from './duration-flag.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';
import { hmacSecretFrom } from '../control/auth/auth-config.js';
import { mintHs256Token } from '../control/auth/mint-token.js';
import { isRole, ROLES, type Role } from '../control/auth/roles.js';
import { TENANT_ID_PATTERN } from '../store/scoped-session.js';

const MAX_TTL_SECONDS = 30 * 86_400;

const help = `Usage: bulwark token --tenant ID --role ROLE[,ROLE...] [options]

Mints an HS256 token signed with BULWARK_JWT_SECRET (the development key of
'bulwark control') and prints only the token.

Options:
  --tenant ID        the tenant_id claim (not needed for --role platform-admin alone)
  --role ROLES       comma-separated: ${ROLES.join(', ')}
  --ttl DURATION     lifetime, e.g. 15m, 1h, 7d (default 1h, at most 30d)
  --sub NAME         the subject recorded on changes (default "bulwark-cli")
  --tenants IDS      sidecar role: further tenants it may ingest records for
  -h, --help         show this help

Environment: BULWARK_JWT_SECRET (required, at least 32 bytes); BULWARK_JWT_ISSUER and
BULWARK_JWT_AUDIENCE are added as iss/aud when set.
`;

function parseRoles(value: string | undefined): Role[] {
  if (!value) throw new UsageError('--role is required');
  const roles = value.split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of roles) if (!isRole(r)) throw new UsageError(`--role: unknown role "${r}" (known: ${ROLES.join(', ')})`);
  return [...new Set(roles)] as Role[];
}

function checkTenant(value: string, source: string): string {
  if (!TENANT_ID_PATTERN.test(value)) throw new UsageError(`${source}: "${value}" is not a valid tenant id`);
  return value;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(
    args,
    { tenant: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string' }, sub: { type: 'string' }, tenants: { type: 'string' } },
    0,
  );
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const roles = parseRoles(stringFlag(flags, 'role'));
  const tenantFlag = stringFlag(flags, 'tenant');
  const tenantId = tenantFlag === undefined ? undefined : checkTenant(tenantFlag, '--tenant');
  if (tenantId === undefined && roles.some((r) => r !== 'platform-admin')) {
    throw new UsageError('--tenant is required (only a platform-admin token may omit it)');
  }
  const tenants = (stringFlag(flags, 'tenants') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => checkTenant(t, '--tenants'));
  if (tenants.length > 0 && !roles.includes('sidecar')) throw new UsageError('--tenants applies to the sidecar role only');
  const ttlSeconds = durationSeconds(stringFlag(flags, 'ttl') ?? '1h', '--ttl', { maxSeconds: MAX_TTL_SECONDS });

  const secret = io.env.BULWARK_JWT_SECRET;
  if (!secret) {
    io.stderr.write('bulwark token: BULWARK_JWT_SECRET is not set; refusing to mint a token without the control plane\'s signing secret\n');
    return ExitCode.ERROR;
  }
  const token = await mintHs256Token({
    secret: hmacSecretFrom(secret),
    tenantId,
    roles,
    tenants,
    subject: stringFlag(flags, 'sub') ?? 'bulwark-cli',
    ttlSeconds,
    issuer: io.env.BULWARK_JWT_ISSUER || undefined,
    audience: io.env.BULWARK_JWT_AUDIENCE || undefined,
  });
  io.stdout.write(`${token}\n`);
  return ExitCode.OK;
}

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'mint a development admin-API token (HS256, BULWARK_JWT_SECRET); prints only the token',
  help,
  run,
};
