/**
 * Pure translation between the API's protobuf enums/messages and the engine's plain names.
 */
import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { Action, Direction, Severity, SpanSchema, ThreatSchema, ThreatType, type Threat } from '../../gen/bulwark/v1/threat_pb.js';
import type { ActionName, DirectionName } from '../detectors/types.js';
import type { ThreatResult } from '../engine/types.js';
import { RpcError } from './status-errors.js';

/** Unspecified is INPUT (the proto's rule); numbers outside the enum are refused. */
export function directionName(direction: Direction): DirectionName {
  switch (direction) {
    case Direction.UNSPECIFIED:
    case Direction.INPUT:
      return 'INPUT';
    case Direction.OUTPUT:
      return 'OUTPUT';
    default:
      throw new RpcError(status.INVALID_ARGUMENT, `direction ${String(direction)} is not a known Direction`);
  }
}

/** "" means the tenant "default" (the proto's rule). */
export function tenantOrDefault(tenantId: string): string {
  return tenantId === '' ? 'default' : tenantId;
}

/** Engine action name → proto enum. */
export function actionEnum(action: ActionName): Action {
  return Action[action];
}

const ACTION_RANK: Record<ActionName, number> = { ALLOW: 0, WARN: 1, REDACT: 2, BLOCK: 3 };

/** The more severe of two actions (ALLOW < WARN < REDACT < BLOCK). */
export function moreSevere(a: ActionName, b: ActionName): ActionName {
  return ACTION_RANK[b] > ACTION_RANK[a] ? b : a;
}

/** Engine threat → proto Threat (spans are already code points). */
export function threatMessage(t: ThreatResult): Threat {
  return create(ThreatSchema, {
    type: ThreatType[t.type],
    severity: Severity[t.severity],
    confidence: t.confidence,
    detector: t.detector,
    ruleId: t.ruleId,
    spans: t.spans.map((s) => create(SpanSchema, { start: s.start, end: s.end })),
    entityType: t.entityType,
    owaspId: t.owaspId,
    atlasTechnique: t.atlasTechnique,
    description: t.description,
    action: Action[t.action],
  });
}
