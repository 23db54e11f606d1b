/** Development tokens: HS256 with the shared secret (`bulwark token`, tests). */
import { SignJWT } from 'jose';
import type { Role } from './roles.js';

export interface MintOptions {
  secret: Uint8Array;
  /** Omitted for tenant-less platform-admin tokens. */
  tenantId?: string;
  roles: Role[];
  subject?: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  /** For the sidecar role: more tenants it may ingest records for. */
  tenants?: string[];
  issuer?: string;
  audience?: string;
  /** Overrides the issue time (tests of expiry and clock skew). */
  now?: Date;
}

/** Signs a compact HS256 JWT with claims `tenant_id`, `roles`, `sub`, `iat`, `exp`. */
export async function mintHs256Token(options: MintOptions): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = { roles: options.roles };
  if (options.tenantId !== undefined) claims.tenant_id = options.tenantId;
  if (options.tenants?.length) claims.tenants = options.tenants;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSeconds);
  if (options.subject) jwt.setSubject(options.subject);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(options.secret);
}
