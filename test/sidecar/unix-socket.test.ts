import { existsSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { scanClient } from '../helpers/scan-client.js';
import { startTestSidecar } from './sidecar-fixture.js';

function connectOverUnix(socketPath: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: '/bulwark.v1.SecurityScanService/Scan', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('listening on a unix socket', () => {
  it('serves gRPC and Connect on the socket and removes it on close', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bulwark-unix-')), 'sidecar.sock');
    const sidecar = await startTestSidecar({ workers: 1, listen: `unix:${path}` });
    expect(sidecar.address).toBe(`unix:${path}`);
    expect(sidecar.port).toBe(0);
    const client = scanClient(sidecar.address);
    expect((await client.scan({ content: 'hello over a unix socket' })).action).toBe(Action.ALLOW);
    client.close();
    const connect = await connectOverUnix(path, '{"content":"hello"}');
    expect(connect.status).toBe(200);
    expect(connect.json.action).toBe('ACTION_ALLOW');
    await sidecar.close(2000);
    expect(existsSync(path)).toBe(false);
  });
});
