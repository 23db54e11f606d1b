/**
 * grpc.health.v1.Health (Check, Watch, List) for the sidecar, served with the
 * grpc-health-check package's service definition (its health.proto and serializers).
 *
 * SERVING once the pool is ready; NOT_SERVING from the moment shutdown starts, so load
 * balancers and Kubernetes stop sending before connections close. Reported for "" (the whole
 * server) and the scan service. The handlers are our own rather than the package's
 * HealthImplementation because shutdown must END open Watch streams: an open stream keeps its
 * HTTP/2 connection alive, and the drain waits for connections to close.
 */
import { status, type sendUnaryData, type Server, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { SecurityScanService } from '../../gen/bulwark/v1/scan_service_pb.js';

/** Names Check/Watch know: "" (the server) and the scan service. */
export const HEALTH_SERVICE_NAMES: readonly string[] = ['', SecurityScanService.typeName];

type ServingStatus = 'SERVING' | 'NOT_SERVING';
type WatchStatus = ServingStatus | 'SERVICE_UNKNOWN';

interface HealthRequest {
  service: string;
}
interface HealthResponse {
  status: WatchStatus;
}

/** The health service's state and handlers. */
export class SidecarHealth {
  private current: ServingStatus = 'NOT_SERVING';
  private readonly watches = new Set<ServerWritableStream<HealthRequest, HealthResponse>>();

  addToServer(server: Server): void {
    server.addService(healthService as never, {
      check: (call: ServerUnaryCall<HealthRequest, HealthResponse>, callback: sendUnaryData<HealthResponse>) => {
        if (HEALTH_SERVICE_NAMES.includes(call.request.service)) callback(null, { status: this.current });
        else callback({ code: status.NOT_FOUND, details: 'unknown service' });
      },
      watch: (call: ServerWritableStream<HealthRequest, HealthResponse>) => {
        const known = HEALTH_SERVICE_NAMES.includes(call.request.service);
        // The protocol: an unknown service is reported as SERVICE_UNKNOWN and the watch stays open.
        call.write({ status: known ? this.current : 'SERVICE_UNKNOWN' });
        if (!known) return;
        this.watches.add(call);
        call.on('cancelled', () => this.watches.delete(call));
      },
      list: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        callback(null, { statuses: Object.fromEntries(HEALTH_SERVICE_NAMES.map((name) => [name, { status: this.current }])) });
      },
    });
  }

  set(servingStatus: ServingStatus): void {
    if (servingStatus === this.current) return;
    this.current = servingStatus;
    for (const call of this.watches) call.write({ status: servingStatus });
  }

  /** Ends every Watch stream (OK status) so their connections can close. */
  endWatches(): void {
    for (const call of this.watches) call.end();
    this.watches.clear();
  }
}
