/**
 * `bulwark sidecar --control-plane ADDR …`: the flags and environment of a sidecar managed
 * by a control plane (policy push, record shipping), validated once here.
 */
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import type { TlsFiles } from '../control/grpc/tls-credentials.js';
import { TENANT_ID_PATTERN } from '../store/scoped-session.js';
import { durationSeconds } from './duration-flag.js';
import { stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';

export const CONTROL_PLANE_FLAGS = {
  'control-plane': { type: 'string' },
  'data-dir': { type: 'string' },
  'node-id': { type: 'string' },
  tenants: { type: 'string' },
  'initial-policy-timeout': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
} as const;

export const CONTROL_PLANE_HELP = `
Control plane (policies pushed from \`bulwark control\`, scan records shipped to it):
  --control-plane ADDR           host:port of the control plane (BULWARK_CONTROL_PLANE).
                                 Needs a token with the "sidecar" role in BULWARK_TOKEN
                                 (or a file named by BULWARK_TOKEN_FILE). With it, --policy
                                 is loaded once as the fallback for tenants without a
                                 snapshot (not hot-reloaded).
  --data-dir DIR                 persisted snapshots and the record spill file
                                 (BULWARK_DATA_DIR; default $XDG_STATE_HOME/bulwark/sidecar,
                                 else ~/.local/state/bulwark/sidecar)
  --node-id ID                   this sidecar in the fleet (BULWARK_NODE_ID; default: host name)
  --tenants a,b                  tenants to receive policies for (BULWARK_TENANTS; default:
                                 the token's tenant_id and "tenants" claims)
  --initial-policy-timeout DUR   without a persisted snapshot, health is NOT_SERVING until
                                 the first snapshots arrive or this passes, e.g. 30s; 0 waits
                                 forever (BULWARK_INITIAL_POLICY_TIMEOUT; default 30s)
  --tls-cert FILE, --tls-key FILE, --tls-ca FILE
                                 mutual TLS to the control plane (BULWARK_TLS_CERT,
                                 BULWARK_TLS_KEY, BULWARK_TLS_CA); plaintext is meant for
                                 loopback only and logged as a warning elsewhere
`;

/** A validated control-plane configuration of the sidecar. */
export interface SidecarControlPlaneConfig {
  address: string;
  token: string;
  dataDir: string;
  nodeId: string;
  tenants: string[];
  initialPolicyTimeoutMs: number;
  tls: TlsFiles;
}

/** The sidecar's state directory when --data-dir and BULWARK_DATA_DIR are not set. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const stateHome = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(stateHome, 'bulwark', 'sidecar');
}

function readToken(env: NodeJS.ProcessEnv): string {
  let token = env.BULWARK_TOKEN?.trim();
  if (!token && env.BULWARK_TOKEN_FILE) {
    try {
      token = readFileSync(env.BULWARK_TOKEN_FILE, 'utf8').trim();
    } catch (err) {
      throw new UsageError(`cannot read BULWARK_TOKEN_FILE ${env.BULWARK_TOKEN_FILE}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (!token) throw new UsageError('--control-plane needs a token with the "sidecar" role in BULWARK_TOKEN (or BULWARK_TOKEN_FILE)');
  return token;
}

/** The token's own tenants: its tenant_id and "tenants" claim (read, not verified: the control plane verifies). */
function tokenTenants(token: string): string[] {
  try {
    const claims = decodeJwt(token);
    const list = [claims.tenant_id, ...(Array.isArray(claims.tenants) ? claims.tenants : [])];
    return [...new Set(list.filter((t): t is string => typeof t === 'string'))];
  } catch {
    throw new UsageError('BULWARK_TOKEN is not a JWT');
  }
}

function tenantList(value: string): string[] {
  const tenants = [...new Set(value.split(',').map((t) => t.trim()).filter(Boolean))];
  for (const t of tenants) if (!TENANT_ID_PATTERN.test(t)) throw new UsageError(`--tenants: "${t}" is not a valid tenant id`);
  return tenants;
}

/** The configuration, or undefined when no control plane is named (standalone sidecar). */
export function sidecarControlPlaneConfig(flags: ParsedFlags, env: NodeJS.ProcessEnv): SidecarControlPlaneConfig | undefined {
  const flag = (name: string, envName: string): string | undefined => stringFlag(flags, name) ?? (env[envName] || undefined);
  const address = flag('control-plane', 'BULWARK_CONTROL_PLANE');
  if (!address) {
    for (const name of Object.keys(CONTROL_PLANE_FLAGS)) {
      if (stringFlag(flags, name) !== undefined) throw new UsageError(`--${name} needs --control-plane`);
    }
    return undefined;
  }
  const token = readToken(env);
  const tenantsValue = flag('tenants', 'BULWARK_TENANTS');
  const tenants = tenantsValue ? tenantList(tenantsValue) : tokenTenants(token);
  if (tenants.length === 0) throw new UsageError('no tenants: pass --tenants, or use a token with tenant_id');
  const nodeId = flag('node-id', 'BULWARK_NODE_ID') ?? hostname();
  if (!/^[\x21-\x7e]{1,200}$/.test(nodeId)) throw new UsageError('--node-id must be 1 to 200 printable characters without spaces');
  const timeout = flag('initial-policy-timeout', 'BULWARK_INITIAL_POLICY_TIMEOUT') ?? '30s';
  return {
    address,
    token,
    dataDir: flag('data-dir', 'BULWARK_DATA_DIR') ?? defaultDataDir(env),
    nodeId,
    tenants,
    initialPolicyTimeoutMs: durationSeconds(timeout, '--initial-policy-timeout', { allowZero: true }) * 1000,
    tls: { cert: flag('tls-cert', 'BULWARK_TLS_CERT'), key: flag('tls-key', 'BULWARK_TLS_KEY'), ca: flag('tls-ca', 'BULWARK_TLS_CA') },
  };
}
