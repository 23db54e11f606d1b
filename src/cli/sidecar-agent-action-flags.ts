/**
 * The agent-action flags of `bulwark sidecar` (kept apart from sidecar-command.ts, which only
 * spreads them in): audit log, Redis for shared state. Secrets come from the environment only:
 * BULWARK_AUDIT_HMAC_KEY (audit chain HMAC) and BULWARK_ADMIN_TOKEN (ReleaseAgent).
 */
import { AUDIT_HMAC_KEY_ENV } from '../audit/audit-chain.js';
import type { AgentActionOptions } from '../sidecar/agent-action-service.js';
import { stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';

export const AGENT_ACTION_FLAGS = {
  'audit-log': { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-key-prefix': { type: 'string' },
} as const;

export const AGENT_ACTION_HELP = `
Agent actions (bulwark.v1.AgentActionService, CheckAction; docs/agents.md):
  --audit-log FILE               append every action decision to a hash-chained audit log
                                 (BULWARK_AUDIT_LOG); verify with 'bulwark audit verify'.
                                 HMAC key: BULWARK_AUDIT_HMAC_KEY (16+ characters)
  --redis-url URL                share rate limits, baselines and quarantine between
                                 sidecars (BULWARK_REDIS_URL, else REDIS_URL; default:
                                 in-process). Redis down: the policy's failMode decides
  --redis-key-prefix PREFIX      key prefix in Redis (default "bulwark:")
  ReleaseAgent needs 'authorization: Bearer <BULWARK_ADMIN_TOKEN>' when that is set.
`;

/** The sidecar's agent-action options from flags and environment. */
export function agentActionOptions(flags: ParsedFlags, env: NodeJS.ProcessEnv): AgentActionOptions {
  const out: AgentActionOptions = {};
  const auditLog = stringFlag(flags, 'audit-log') ?? (env.BULWARK_AUDIT_LOG || undefined);
  if (auditLog) out.auditLog = auditLog;
  const redisUrl = stringFlag(flags, 'redis-url') ?? (env.BULWARK_REDIS_URL || env.REDIS_URL || undefined);
  if (redisUrl) out.redisUrl = redisUrl;
  const prefix = stringFlag(flags, 'redis-key-prefix') ?? (env.BULWARK_REDIS_KEY_PREFIX || undefined);
  if (prefix) out.redisKeyPrefix = prefix;
  const key = env[AUDIT_HMAC_KEY_ENV];
  if (key) {
    if (key.length < 16) throw new UsageError(`${AUDIT_HMAC_KEY_ENV} must hold at least 16 characters`);
    out.auditHmacKey = key;
  }
  if (env.BULWARK_ADMIN_TOKEN) out.adminToken = env.BULWARK_ADMIN_TOKEN;
  return out;
}
