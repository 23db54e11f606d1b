/** Small helpers shared by the fault tests. */

/** A call's outcome: its value, or its gRPC status code and details (and the error itself). */
export type Settled<T> = { ok: true; value: T } | { ok: false; code: number | undefined; details: string; error: unknown };

/** Never rejects: what the caller saw, so a test can check every call of a burst. */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (err: { code?: number; details?: string; message?: string }) => ({ ok: false as const, code: err.code, details: err.details ?? err.message ?? '', error: err }),
  );
}
