import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { scanClient, type ScanClient } from '../helpers/scan-client.js';
import { blockPhrasePolicy, startTestSidecar, writeTempFile } from './sidecar-fixture.js';

function ruleIds(response: ScanResponse): string[] {
  return response.threats.map((t) => t.ruleId);
}

describe('policy hot reload', () => {
  let sidecar: RunningSidecar;
  let client: ScanClient;
  let policyPath: string;
  beforeAll(async () => {
    policyPath = writeTempFile('policy.yaml', blockPhrasePolicy('no-elephants', 'purple elephant'));
    sidecar = await startTestSidecar({ workers: 2, policyFile: policyPath });
    client = scanClient(sidecar.address);
  });
  afterAll(async () => {
    client?.close();
    await sidecar?.close(1000);
  });

  it('enforces a changed policy file without a restart, on every worker', async () => {
    expect(ruleIds(await client.scan({ content: 'a purple elephant' }))).toContain('no-elephants');
    const before = sidecar.pool.policySet.version;

    writeFileSync(policyPath, blockPhrasePolicy('no-giraffes', 'green giraffe'));
    await expect.poll(() => sidecar.pool.policySet.version, { timeout: 10_000 }).not.toBe(before);

    // Many concurrent scans land on both threads; all see the new rule and not the old one.
    const after = await Promise.all(Array.from({ length: 16 }, () => client.scan({ content: 'a green giraffe and a purple elephant' })));
    for (const response of after) {
      expect(ruleIds(response)).toContain('no-giraffes');
      expect(ruleIds(response)).not.toContain('no-elephants');
      expect(response.policyVersion).toBe(sidecar.pool.policySet.tenants.default!.default!.version);
    }
  });

  it('keeps the last good policy when the file becomes invalid', async () => {
    const good = sidecar.pool.policySet.version;
    writeFileSync(policyPath, 'apiVersion: bulwark.dev/v1\nkind: Policy\nspec:\n  customRules: [{ id: broken, pattern: "(" }]\n');
    // Give the watcher time to read it (debounce 100 ms, poll 2 s).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(sidecar.pool.policySet.version).toBe(good);
    expect(ruleIds(await client.scan({ content: 'a green giraffe' }))).toContain('no-giraffes');
  });
});
