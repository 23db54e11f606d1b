/**
 * CheckAction decisions. Labels are the verdict, the action type and the reason code: all
 * enums. The tool name, target and agent id are caller-controlled free text and are NOT labels
 * (each distinct tool would become a time series; an attacker could mint them at will).
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ActionDecisionData, ActionRequestData } from '../../actions/action-names.js';
import { SCAN_SECONDS_BUCKETS } from './buckets.js';
import { LabelChildren } from './label-children.js';

export class ActionMetrics {
  private readonly decisions: LabelChildren<Counter.Internal>;
  private readonly durations: LabelChildren<Histogram.Internal<'decision'>>;

  constructor(registry: Registry) {
    const registers = [registry];
    const decisions = new Counter({
      name: 'bulwark_action_decisions_total',
      help: 'CheckAction decisions by verdict, action type and reason code.',
      labelNames: ['decision', 'action_type', 'reason'] as const,
      registers,
    });
    this.decisions = new LabelChildren((decision, type, reason) => decisions.labels(decision!, type!, reason!));
    const durations = new Histogram({
      name: 'bulwark_action_check_duration_seconds',
      help: 'Time to decide one CheckAction.',
      labelNames: ['decision'] as const,
      buckets: SCAN_SECONDS_BUCKETS,
      registers,
    });
    this.durations = new LabelChildren((decision) => durations.labels(decision!));
  }

  decided(request: Pick<ActionRequestData, 'actionType'>, decision: Pick<ActionDecisionData, 'decision' | 'reasonCode' | 'latencyMs'>): void {
    this.decisions.get(decision.decision, request.actionType, decision.reasonCode).inc();
    this.durations.get(decision.decision).observe(decision.latencyMs / 1000);
  }
}
