/** MetricsService: aggregates of the caller's tenant over a window (default: the last 24 hours). */
import type { MetricsService } from '../../../gen/bulwark/v1/metrics_service_pb.js';
import type { MetricsRepository } from '../../store/metrics-repository.js';
import { tenantOf } from '../auth/authorize.js';
import { invalidArgument } from '../grpc/status-errors.js';
import type { ServiceHandlers } from '../grpc/unary-service.js';
import { isoFromTimestamp, threatTypeToProto, timestampFromIso } from './proto-values.js';

const DAY_MS = 86_400_000;

function rate(count: bigint, total: bigint): number {
  return total === 0n ? 0 : Number(count) / Number(total);
}

export function metricsHandlers(metrics: MetricsRepository, now: () => Date = () => new Date()): ServiceHandlers<typeof MetricsService> {
  return {
    async getTenantMetrics(req, ctx) {
      const end = req.endTime ? isoFromTimestamp(req.endTime, 'end_time') : now().toISOString();
      const start = req.startTime ? isoFromTimestamp(req.startTime, 'start_time') : new Date(Date.parse(end) - DAY_MS).toISOString();
      if (start >= end) throw invalidArgument('start_time must be before end_time');
      const m = await metrics.tenantMetrics(tenantOf(ctx.principal), start, end);
      return {
        metrics: {
          startTime: timestampFromIso(start),
          endTime: timestampFromIso(end),
          scanCount: m.scanCount,
          allowCount: m.actionCounts.ALLOW,
          warnCount: m.actionCounts.WARN,
          redactCount: m.actionCounts.REDACT,
          blockCount: m.actionCounts.BLOCK,
          warnRate: rate(m.actionCounts.WARN, m.scanCount),
          redactRate: rate(m.actionCounts.REDACT, m.scanCount),
          blockRate: rate(m.actionCounts.BLOCK, m.scanCount),
          threatsByType: m.threatsByType.map((t) => ({ type: threatTypeToProto(t.type), scanCount: t.scanCount, findingCount: t.findingCount })),
          latencyP50Ms: m.latencyP50Ms,
          latencyP95Ms: m.latencyP95Ms,
          latencyP99Ms: m.latencyP99Ms,
        },
      };
    },
  };
}
