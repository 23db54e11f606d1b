/**
 * One HTTP POST of a formatted alert, with a timeout over the whole exchange. Bodies of
 * answers are drained and never read into logs: a receiver's error page is not ours to keep.
 */
import { classifyStatus, type AttemptOutcome } from './retry-schedule.js';
import { signatureHeaders } from './alert-signature.js';

export interface PostAlertRequest {
  url: string;
  body: string;
  /** Signing key; undefined: no signature headers. */
  secret: string | undefined;
  deliveryId: string;
  timeoutMs: number;
  /** Aborts the request (the deliverer is stopping). */
  signal?: AbortSignal;
}

export const USER_AGENT = 'bulwark-alerts/1';

export async function postAlert(request: PostAlertRequest): Promise<AttemptOutcome> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-bulwark-delivery': request.deliveryId,
    ...(request.secret ? signatureHeaders(request.secret, request.body) : {}),
  };
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers,
      body: request.body,
      redirect: 'manual',
      signal: request.signal ? AbortSignal.any([AbortSignal.timeout(request.timeoutMs), request.signal]) : AbortSignal.timeout(request.timeoutMs),
    });
    // Drain (and discard) the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    return classifyStatus(response.status, response.headers.get('retry-after'));
  } catch (err) {
    return { kind: 'retry', status: undefined, retryAfterMs: undefined, reason: networkReason(err) };
  }
}

/** A short, content-free cause: "timeout", "ECONNREFUSED", … (never the URL, which may hold a token). */
function networkReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? 'network error';
}
