/**
 * Bearer-token verification with `jose`: HS256 with the shared secret, RS256/ES256 with a
 * JWKS (file or URL). The algorithm list is fixed by configuration, and the key is picked by
 * the token's `alg` among configured sources only, so a token cannot choose an algorithm
 * the deployment did not enable (no "alg: none", no HS256-with-a-public-key confusion).
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type FlattenedJWSInput,
  type JWTPayload,
} from 'jose';
import { TENANT_ID_PATTERN } from '../../store/scoped-session.js';
import type { AuthConfig } from './auth-config.js';
import { AuthError } from './auth-error.js';
import type { Principal } from './principal.js';
import { isRole, type Role } from './roles.js';

export interface TokenVerifier {
  /** Verifies a compact JWT and returns its principal; throws {@link AuthError}. */
  verify(token: string): Promise<Principal>;
}

type KeyResolver = (header: JWTHeaderParameters, token: FlattenedJWSInput) => Promise<unknown> | unknown;

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Claims → principal. A token that names no tenant is only usable for platform permissions. */
export function principalFromClaims(claims: JWTPayload): Principal {
  const roles = new Set<Role>(stringList(claims.roles).filter(isRole));
  const tenant = claims.tenant_id;
  if (tenant !== undefined && (typeof tenant !== 'string' || !TENANT_ID_PATTERN.test(tenant))) {
    throw new AuthError('unauthenticated', 'token claim "tenant_id" is not a valid tenant id');
  }
  if (tenant === undefined && !roles.has('platform-admin')) {
    throw new AuthError('unauthenticated', 'token has no "tenant_id" claim');
  }
  const ingestTenants = new Set<string>();
  if (roles.has('sidecar')) {
    for (const t of stringList(claims.tenants)) {
      if (!TENANT_ID_PATTERN.test(t)) throw new AuthError('unauthenticated', 'token claim "tenants" holds an invalid tenant id');
      ingestTenants.add(t);
    }
  }
  return { subject: typeof claims.sub === 'string' ? claims.sub : '', tenantId: tenant, roles, ingestTenants };
}

function toAuthError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof errors.JWTExpired) return new AuthError('unauthenticated', 'token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) return new AuthError('unauthenticated', `token claim "${err.claim}" is invalid (${err.reason})`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthError('unauthenticated', 'token signature is invalid');
  if (err instanceof errors.JOSEAlgNotAllowed) return new AuthError('unauthenticated', 'token algorithm is not accepted');
  if (err instanceof errors.JWKSNoMatchingKey) return new AuthError('unauthenticated', 'token was signed by an unknown key');
  if (err instanceof errors.JWKSTimeout || (err instanceof errors.JOSEError && err.code === 'ERR_JWKS_INVALID')) {
    return new AuthError('unavailable', 'the token key set could not be loaded; retry later');
  }
  if (err instanceof errors.JOSEError) return new AuthError('unauthenticated', 'token is malformed or invalid');
  // A fetch failure of the remote key set is a network error, not a bad token.
  if (err instanceof TypeError) return new AuthError('unavailable', 'the token key set could not be loaded; retry later');
  return new AuthError('unauthenticated', 'token is invalid');
}

export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const algorithms: string[] = [];
  if (config.hmacSecret) algorithms.push('HS256');
  let keySet: KeyResolver | undefined;
  if (config.jwks) keySet = createLocalJWKSet(config.jwks);
  else if (config.jwksUrl) keySet = createRemoteJWKSet(config.jwksUrl, { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  if (keySet) algorithms.push('RS256', 'ES256');
  const secret = config.hmacSecret;

  const resolveKey = (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<unknown> | unknown => {
    if (header.alg === 'HS256') {
      if (!secret) throw new errors.JOSEAlgNotAllowed('HS256 is not enabled');
      return secret;
    }
    if (!keySet) throw new errors.JOSEAlgNotAllowed(`${header.alg} is not enabled`);
    return keySet(header, token);
  };

  return {
    async verify(token: string): Promise<Principal> {
      try {
        const { payload } = await jwtVerify(token, resolveKey as Parameters<typeof jwtVerify>[1], {
          algorithms,
          clockTolerance: config.clockToleranceSeconds,
          issuer: config.issuer,
          audience: config.audience,
          // A token without an expiry would be valid forever once leaked.
          requiredClaims: ['exp'],
        });
        return principalFromClaims(payload);
      } catch (err) {
        throw toAuthError(err);
      }
    },
  };
}
