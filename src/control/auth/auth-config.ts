/**
 * Token verification settings, from the environment (staged: raw env → checked config).
 *
 * | variable              | meaning                                                         |
 * |-----------------------|-----------------------------------------------------------------|
 * | BULWARK_JWT_SECRET    | HS256 shared secret (development); at least 32 bytes            |
 * | BULWARK_JWKS_URL      | https URL of a JWKS: RS256/ES256 tokens (production)            |
 * | BULWARK_JWKS_FILE     | path of a JWKS JSON file: RS256/ES256 tokens                    |
 * | BULWARK_JWT_ISSUER    | when set, the `iss` claim must equal it                          |
 * | BULWARK_JWT_AUDIENCE  | when set, the `aud` claim must contain it                        |
 */
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';

/** The shortest HS256 secret accepted: RFC 7518 §3.2 asks for a key at least as long as the hash. */
export const MIN_SECRET_BYTES = 32;

export interface AuthConfig {
  /** HS256 key; undefined disables HS256. */
  hmacSecret?: Uint8Array;
  /** Remote JWKS; undefined disables it. */
  jwksUrl?: URL;
  /** A key set read from a file. */
  jwks?: JSONWebKeySet;
  issuer?: string;
  audience?: string;
  /** Allowed clock difference in seconds (exp, nbf, iat). */
  clockToleranceSeconds: number;
}

/** Checks an HS256 secret; returns its bytes or throws with a message fit for the user. */
export function hmacSecretFrom(secret: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`BULWARK_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long (e.g. \`openssl rand -base64 48\`)`);
  }
  return bytes;
}

/** Reads the auth settings. Throws on invalid values; at least one key source is required. */
export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const config: AuthConfig = { clockToleranceSeconds: 60 };
  if (env.BULWARK_JWT_SECRET) config.hmacSecret = hmacSecretFrom(env.BULWARK_JWT_SECRET);
  if (env.BULWARK_JWKS_URL) {
    const url = new URL(env.BULWARK_JWKS_URL);
    if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      throw new Error('BULWARK_JWKS_URL must use https (plain http only for localhost)');
    }
    config.jwksUrl = url;
  }
  if (env.BULWARK_JWKS_FILE) {
    const parsed = JSON.parse(readFileSync(env.BULWARK_JWKS_FILE, 'utf8')) as JSONWebKeySet;
    if (!Array.isArray(parsed.keys)) throw new Error(`BULWARK_JWKS_FILE ${env.BULWARK_JWKS_FILE} is not a JWKS ({"keys": [...]})`);
    config.jwks = parsed;
  }
  if (config.jwks && config.jwksUrl) throw new Error('set BULWARK_JWKS_URL or BULWARK_JWKS_FILE, not both');
  if (env.BULWARK_JWT_ISSUER) config.issuer = env.BULWARK_JWT_ISSUER;
  if (env.BULWARK_JWT_AUDIENCE) config.audience = env.BULWARK_JWT_AUDIENCE;
  if (!config.hmacSecret && !config.jwksUrl && !config.jwks) {
    throw new Error('no token verification key: set BULWARK_JWT_SECRET (development) or BULWARK_JWKS_URL / BULWARK_JWKS_FILE');
  }
  return config;
}
