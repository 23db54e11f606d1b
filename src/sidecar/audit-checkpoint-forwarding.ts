/**
 * In control-plane mode, the audit log's checkpoints go to the control plane: the agent-action
 * options get a checkpoint hook feeding a shipper, and the checkpoints already on disk (from
 * earlier runs, or written while the control plane was down) are queued again at start.
 */
import type { AuditCheckpoint } from '../audit/audit-chain.js';
import { auditCheckpointPath } from '../audit/audit-log-writer.js';
import type { Logger } from '../telemetry/logger.js';
import type { AgentActionOptions } from './agent-action-service.js';
import { AuditCheckpointShipper, readCheckpointFile } from './audit-checkpoint-shipper.js';
import type { ControlPlaneChannel } from './control-plane-channel.js';

export interface AuditForwarding {
  /** The options to start the sidecar with (unchanged without an audit log). */
  agentActions: AgentActionOptions | undefined;
  /** Undefined without an audit log. */
  shipper: AuditCheckpointShipper | undefined;
}

export function forwardAuditCheckpoints(
  agentActions: AgentActionOptions | undefined,
  channel: ControlPlaneChannel,
  sidecarId: string,
  logger: Logger,
): AuditForwarding {
  if (!agentActions?.auditLog) return { agentActions, shipper: undefined };
  const shipper = new AuditCheckpointShipper({ channel, sidecarId, logger });
  for (const checkpoint of readCheckpointFile(auditCheckpointPath(agentActions.auditLog))) shipper.push(checkpoint);
  const previous = agentActions.onAuditCheckpoint;
  const onAuditCheckpoint = (checkpoint: AuditCheckpoint): void => {
    previous?.(checkpoint);
    shipper.push(checkpoint);
  };
  return { agentActions: { ...agentActions, onAuditCheckpoint }, shipper };
}
