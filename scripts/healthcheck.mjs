#!/usr/bin/env node
// The container HEALTHCHECK: grpc.health.v1 Check("") on 127.0.0.1:$BULWARK_HEALTH_PORT
// (default 50051, the sidecar; 50052 for `bulwark control`). Exit 0 only for SERVING. Plain
// JavaScript with production dependencies only, so it runs in the runtime image as it is.
// (Kubernetes ignores HEALTHCHECK; the chart and the injector use native gRPC probes.)
import process from 'node:process';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const port = Number(process.env.BULWARK_HEALTH_PORT || 50051);
const Client = makeGenericClientConstructor(healthService, 'Health');
const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
client.check({ service: '' }, { deadline: Date.now() + 2000 }, (err, response) => {
  client.close();
  const serving = !err && response?.status === 'SERVING';
  if (!serving) process.stderr.write(`unhealthy: ${err ? err.message : response?.status}\n`);
  process.exit(serving ? 0 : 1);
});
