/**
 * Mutual TLS between sidecar and control plane, with certificates made by openssl for this
 * run: a managed sidecar with a client certificate receives and ACKs its policy; a client
 * without a certificate, with one from another CA, or in plaintext is refused. Connect (JSON
 * over HTTPS/1.1) shares the port and the client-certificate check.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { FleetService, ListSidecarsRequestSchema, type ListSidecarsResponse } from '../../gen/bulwark/v1/fleet_service_pb.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { startControlPlane, type ControlPlane } from '../../src/control/start-control-plane.js';
import type { ConnectedSidecar } from '../../src/sidecar/start-connected-sidecar.js';
import { grpcServiceDefinition } from '../../src/sidecar/grpc-service-definition.js';
import { openPolicyStream } from '../helpers/policy-stream-client.js';
import { pgliteFactory, type TestDatabase } from '../store/test-databases.js';
import { eventually, healthOf, SECRET, silent, startManagedSidecar, TempDirs, token } from './push-fixture.js';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, and a certificate signed by it for `name` (with the 127.0.0.1 SAN for servers). */
function makeCa(dir: string, ca: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.crt`], dir);
}
function makeCert(dir: string, ca: string, name: string): void {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

describe('mutual TLS between sidecar and control plane', () => {
  const dirs = new TempDirs();
  let pki: string;
  let db: TestDatabase;
  let plane: ControlPlane;
  let sidecar: ConnectedSidecar | undefined;
  const file = (name: string) => join(pki, name);

  beforeAll(async () => {
    pki = dirs.make('bulwark-pki-');
    makeCa(pki, 'ca');
    makeCa(pki, 'other-ca');
    makeCert(pki, 'ca', 'server');
    makeCert(pki, 'ca', 'client');
    makeCert(pki, 'other-ca', 'stranger');
    db = await pgliteFactory.create();
    plane = await startControlPlane({
      listen: '127.0.0.1:0',
      database: db.db,
      auth: { hmacSecret: hmacSecretFrom(SECRET), clockToleranceSeconds: 60 },
      logger: silent,
      retentionIntervalMs: 0,
      tls: { cert: file('server.crt'), key: file('server.key'), ca: file('ca.crt') },
    });
    await plane.repositories.tenants.create({ tenantId: 'acme' });
  }, 60_000);
  afterAll(async () => {
    await sidecar?.close(1000);
    await plane?.close(1000);
    await db?.dispose();
    dirs.removeAll();
  });

  it('a sidecar with a client certificate gets and ACKs its policy', async () => {
    sidecar = await startManagedSidecar(plane.address, await token(['sidecar']), dirs.make(), 'tls-node', {
      controlPlane: {
        address: plane.address,
        token: await token(['sidecar']),
        tls: { cert: file('client.crt'), key: file('client.key'), ca: file('ca.crt') },
      },
    });
    const creds = grpc.credentials.createSsl(readFileSync(file('ca.crt')), readFileSync(file('client.key')), readFileSync(file('client.crt')));
    const Fleet = grpc.makeGenericClientConstructor(grpcServiceDefinition(FleetService), 'FleetService');
    const client = new Fleet(plane.address, creds) as unknown as {
      ListSidecars(req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: ListSidecarsResponse) => void): void;
      close(): void;
    };
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${await token(['admin'])}`);
    const list = () =>
      new Promise<ListSidecarsResponse>((resolve, reject) =>
        client.ListSidecars(create(ListSidecarsRequestSchema), metadata, (err, res) => (err ? reject(err) : resolve(res!))),
      );
    try {
      // acme has no policy yet: its snapshot is r0 (the built-in default).
      await eventually('the TLS sidecar ACKs r0', async () => (await list()).sidecars.some((x) => x.nodeId === 'tls-node' && x.ackedPolicyVersion === 'r0'));
      expect(await healthOf(sidecar.address)).toBe('SERVING');
    } finally {
      client.close();
    }
  });

  it('no client certificate, a certificate from another CA, or plaintext: refused', async () => {
    const sidecarToken = await token(['sidecar']);
    const attempts = [
      grpc.credentials.createSsl(readFileSync(file('ca.crt'))),
      grpc.credentials.createSsl(readFileSync(file('ca.crt')), readFileSync(file('stranger.key')), readFileSync(file('stranger.crt'))),
      grpc.credentials.createInsecure(),
    ];
    for (const credentials of attempts) {
      const stream = openPolicyStream(plane.address, { token: sidecarToken, credentials });
      const ended = await stream.ended;
      stream.close();
      expect(ended.code).toBe(grpc.status.UNAVAILABLE);
      expect(stream.snapshots).toEqual([]);
    }
  });

  /** One Connect JSON call over HTTPS/1.1; resolves the status, or the TLS failure's code. */
  function connectOverTls(clientCert: string | undefined, authorization: string): Promise<{ status?: number; body?: string; error?: string }> {
    return new Promise((resolve) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: plane.port,
          method: 'POST',
          path: '/bulwark.v1.FleetService/ListSidecars',
          headers: { 'content-type': 'application/json', authorization },
          ca: readFileSync(file('ca.crt')),
          ...(clientCert ? { cert: readFileSync(file(`${clientCert}.crt`)), key: readFileSync(file(`${clientCert}.key`)) } : {}),
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      req.end('{}');
    });
  }

  it('serves Connect JSON over HTTPS/1.1 on the same port, with the same client-certificate check', async () => {
    const admin = `Bearer ${await token(['admin'])}`;
    const ok = await connectOverTls('client', admin);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body ?? '{}')).toHaveProperty('sidecars');
    expect((await connectOverTls('client', 'Bearer nope')).status).toBe(401);
    expect((await connectOverTls(undefined, admin)).status).toBeUndefined();
    expect((await connectOverTls('stranger', admin)).status).toBeUndefined();
  });
});
