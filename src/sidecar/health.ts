/**
 * grpc.health.v1.Health (Check, Watch, List) for the sidecar: SERVING once the pool is ready,
 * NOT_SERVING from the moment shutdown starts (so load balancers and Kubernetes stop sending
 * before connections close). Reported for "" (the whole server) and the scan service.
 */
import type { Server } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { SecurityScanService } from '../../gen/bulwark/v1/scan_service_pb.js';

export const HEALTH_SERVICE_NAMES = ['', SecurityScanService.typeName] as const;

export class SidecarHealth {
  private readonly implementation = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICE_NAMES.map((name) => [name, 'NOT_SERVING' as ServingStatus])),
  );

  addToServer(server: Server): void {
    this.implementation.addToServer(server);
  }

  set(servingStatus: 'SERVING' | 'NOT_SERVING'): void {
    for (const name of HEALTH_SERVICE_NAMES) this.implementation.setStatus(name, servingStatus);
  }
}
