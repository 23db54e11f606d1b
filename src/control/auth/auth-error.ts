/**
 * Authentication and authorisation failures. `unauthenticated`: no usable credential
 * (missing, malformed, badly signed, expired, or without a tenant). `permission-denied`: a
 * valid credential whose roles do not allow the call. `unavailable`: the key set could not be
 * fetched (our problem, worth a retry). Messages never echo the token.
 */
export class AuthError extends Error {
  constructor(
    readonly kind: 'unauthenticated' | 'permission-denied' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
