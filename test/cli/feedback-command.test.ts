import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FeedbackKind } from '../../gen/bulwark/v1/scan_service_pb.js';
import { ThreatType } from '../../gen/bulwark/v1/threat_pb.js';
import { feedbackCommand, feedbackRequestOf } from '../../src/cli/feedback-command.js';
import { UsageError } from '../../src/cli/parse-flags.js';

describe('bulwark feedback flags', () => {
  it('maps a scan-id false positive with a threat type and note', () => {
    const request = feedbackRequestOf({ 'scan-id': 'abc', 'false-positive': true, tenant: 'acme', 'threat-type': 'prompt_injection', note: 'red team' });
    expect(request.subject).toEqual({ case: 'scanId', value: 'abc' });
    expect(request.kind).toBe(FeedbackKind.FALSE_POSITIVE);
    expect(request.threatType).toBe(ThreatType.PROMPT_INJECTION);
    expect(request.tenantId).toBe('acme');
    expect(request.note).toBe('red team');
  });

  it('needs exactly one kind and exactly one subject, and a real threat type', () => {
    expect(() => feedbackRequestOf({ 'scan-id': 'a' })).toThrow(UsageError);
    expect(() => feedbackRequestOf({ 'scan-id': 'a', 'false-positive': true, 'false-negative': true })).toThrow(/exactly one of --false-positive/);
    expect(() => feedbackRequestOf({ 'false-negative': true })).toThrow(/exactly one of --scan-id/);
    expect(() => feedbackRequestOf({ 'scan-id': 'a', phrase: 'b', 'false-negative': true })).toThrow(/exactly one of --scan-id/);
    expect(() => feedbackRequestOf({ phrase: 'b', 'false-negative': true, 'threat-type': 'SCANNER_ERROR' })).toThrow(/not a threat type/);
    expect(() => feedbackRequestOf({ phrase: 'b', 'false-negative': true, 'threat-type': 'nonsense' })).toThrow(/not a threat type/);
  });

  it('reports an unreachable sidecar as an error, without hanging', async () => {
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} };
    await expect(feedbackCommand.run(['--phrase', 'x', '--false-negative', '--server', '127.0.0.1:1', '--timeout', '2s'], io)).rejects.toThrow(/^(UNAVAILABLE|DEADLINE_EXCEEDED)/);
  });

  it('export needs a journal', async () => {
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} };
    await expect(feedbackCommand.run(['export'], io)).rejects.toThrow(/BULWARK_FEEDBACK_FILE/);
  });
});
