/**
 * Options of the Envoy-facing services (ext_authz and ext_proc), with defaults applied once at
 * the edge.
 */

export interface EnvoyServiceOptions {
  /** Header naming the tenant (default `x-tenant-id`). Must be set by a trusted hop: Envoy itself or the calling workload. */
  tenantHeader?: string;
  /** Header naming the policy of the tenant (default `x-bulwark-policy-id`; absent = the tenant's default policy). */
  policyHeader?: string;
  /**
   * A body Envoy marks as truncated (`x-envoy-auth-partial-body: true`, or BUFFERED_PARTIAL
   * without end of stream) is never treated as complete. `policy` (default): the tenant
   * policy's failMode decides (closed → refuse, open → scan what arrived); `fail-closed`:
   * always refuse; `scan-partial`: always scan what arrived and mark the request
   * `x-bulwark-partial: true`.
   */
  partialBody?: 'policy' | 'fail-closed' | 'scan-partial';
  /** Bodies whose Content-Type is missing or not recognised: scan as text (default) or skip. */
  unknownContent?: 'text' | 'skip';
  /**
   * ext_authz cannot change a body: on REDACT it either lets the request through with
   * `x-bulwark-action: REDACT` (default `allow`; pair it with ext_proc, which rewrites the
   * body) or refuses it (`deny`).
   */
  authzRedact?: 'allow' | 'deny';
}

export type ResolvedEnvoyOptions = Required<EnvoyServiceOptions>;

export const DEFAULT_TENANT_HEADER = 'x-tenant-id';
export const DEFAULT_POLICY_HEADER = 'x-bulwark-policy-id';

export function resolveEnvoyOptions(options: EnvoyServiceOptions = {}): ResolvedEnvoyOptions {
  return {
    tenantHeader: (options.tenantHeader ?? DEFAULT_TENANT_HEADER).toLowerCase(),
    policyHeader: (options.policyHeader ?? DEFAULT_POLICY_HEADER).toLowerCase(),
    partialBody: options.partialBody ?? 'policy',
    unknownContent: options.unknownContent ?? 'text',
    authzRedact: options.authzRedact ?? 'allow',
  };
}

/** Headers the sidecar sets on what it lets through. */
export const SCAN_ID_HEADER = 'x-bulwark-scan-id';
export const ACTION_HEADER = 'x-bulwark-action';
export const PARTIAL_HEADER = 'x-bulwark-partial';
/** Envoy's mark on a CheckRequest whose body was cut at max_request_bytes. */
export const ENVOY_PARTIAL_BODY_HEADER = 'x-envoy-auth-partial-body';
/** The dynamic metadata namespace (ext_proc) / key (ext_authz) the sidecar writes. */
export const METADATA_NAMESPACE = 'bulwark';

/** Whether a truncated or unscannable body is refused, given the option and the tenant policy's fail mode. */
export function refusesUnscannable(choice: ResolvedEnvoyOptions['partialBody'], failMode: 'open' | 'closed'): boolean {
  return choice === 'fail-closed' || (choice === 'policy' && failMode === 'closed');
}
