/** The image's HEALTHCHECK script (scripts/healthcheck.mjs) against a real sidecar. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { startTestSidecar } from '../sidecar/sidecar-fixture.js';

const script = new URL('../../scripts/healthcheck.mjs', import.meta.url).pathname;
/** Runs the script as the container runtime would (asynchronously: the sidecar answers from this process). */
function probe(port: number): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, BULWARK_HEALTH_PORT: String(port) } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('container healthcheck', () => {
  let sidecar: RunningSidecar;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ workers: 1 });
  });
  afterAll(async () => {
    await sidecar?.close(1000);
  });

  it('exits 0 for a SERVING sidecar', async () => {
    const r = await probe(sidecar.port);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('exits 1 when nothing listens, and after the sidecar stopped', async () => {
    const port = sidecar.port;
    await sidecar.close(1000);
    const r = await probe(port);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unhealthy/);
  });
});
