/** FleetService: the sidecars serving the caller's tenant and the policy versions they applied. */
import type { FleetService } from '../../../gen/bulwark/v1/fleet_service_pb.js';
import type { FleetRepository } from '../../store/fleet-repository.js';
import { tenantOf } from '../auth/authorize.js';
import type { ServiceHandlers } from '../grpc/unary-service.js';
import { timestampFromIso } from './proto-values.js';

export function fleetHandlers(fleet: FleetRepository): ServiceHandlers<typeof FleetService> {
  return {
    async listSidecars(req, ctx) {
      const sidecars = await fleet.listSidecars(tenantOf(ctx.principal), { connectedOnly: req.connectedOnly });
      return {
        sidecars: sidecars.map((s) => ({
          nodeId: s.nodeId,
          tenantIds: s.tenantIds,
          connected: s.connected,
          lastSeenTime: timestampFromIso(s.lastSeenAt),
          sidecarVersion: s.sidecarVersion,
          ackedPolicyVersion: s.ackedPolicyVersion,
          ackTime: timestampFromIso(s.ackedAt),
          nackedPolicyVersion: s.nackedPolicyVersion,
          nackError: s.nackError,
          nackTime: timestampFromIso(s.nackedAt),
        })),
      };
    },
  };
}
