/** Signing and verifying: what a receiver does with X-Bulwark-Signature / X-Bulwark-Timestamp. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeaders, verifySignature } from '../../../src/events/webhooks/alert-signature.js';

const secret = 'a-test-signing-secret';
const body = '{"source":"bulwark","events":[]}';
const now = 1_800_000_000_000;

describe('alert signature', () => {
  it('is sha256=hex(HMAC(secret, timestamp + "." + body)) with the timestamp in seconds', () => {
    const h = signatureHeaders(secret, body, now);
    expect(h['x-bulwark-timestamp']).toBe('1800000000');
    const expected = createHmac('sha256', secret).update(`1800000000.${body}`).digest('hex');
    expect(h['x-bulwark-signature']).toBe(`sha256=${expected}`);
  });

  it('verifies, and rejects a changed body, a wrong secret, a stale or future timestamp, and junk', () => {
    const h = signatureHeaders(secret, body, now);
    const headers = { signature: h['x-bulwark-signature'], timestamp: h['x-bulwark-timestamp'] };
    expect(verifySignature(secret, body, headers, { nowMs: now + 1000 })).toBe('ok');
    expect(verifySignature(secret, body.replace('[]', '[1]'), headers, { nowMs: now })).toBe('mismatch');
    expect(verifySignature('another-secret', body, headers, { nowMs: now })).toBe('mismatch');
    expect(verifySignature(secret, body, headers, { nowMs: now + 301_000 })).toBe('stale');
    expect(verifySignature(secret, body, headers, { nowMs: now - 301_000 })).toBe('stale');
    // The timestamp is signed: moving it forward (a replay with a fresh timestamp) breaks the signature.
    expect(verifySignature(secret, body, { ...headers, timestamp: '1800000100' }, { nowMs: now + 100_000 })).toBe('mismatch');
    expect(verifySignature(secret, body, { signature: undefined, timestamp: headers.timestamp })).toBe('missing');
    expect(verifySignature(secret, body, { signature: 'sha1=abc', timestamp: headers.timestamp })).toBe('malformed');
  });
});
