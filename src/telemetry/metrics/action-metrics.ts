/**
 * CheckAction decisions. Labels are the verdict, the action type and the reason code: all
 * enums. The tool name, target and agent id are caller-controlled free text and are NOT labels
 * (each distinct tool would become a time series; an attacker could mint them at will).
 */
import type { Registry } from 'prom-client';
import type { ActionDecisionData, ActionRequestData } from '../../actions/action-names.js';
import { SCAN_SECONDS_BUCKETS } from './buckets.js';
import { FastCounter, FastHistogram } from './fast-metrics.js';

export class ActionMetrics {
  private readonly decisions: FastCounter;
  private readonly durations: FastHistogram;

  constructor(registry: Registry) {
    this.decisions = new FastCounter(registry, {
      name: 'bulwark_action_decisions_total',
      help: 'CheckAction decisions by verdict, action type and reason code.',
      labelNames: ['decision', 'action_type', 'reason'],
    });
    this.durations = new FastHistogram(registry, {
      name: 'bulwark_action_check_duration_seconds',
      help: 'Time to decide one CheckAction.',
      labelNames: ['decision'],
      buckets: SCAN_SECONDS_BUCKETS,
    });
  }

  decided(request: Pick<ActionRequestData, 'actionType'>, decision: Pick<ActionDecisionData, 'decision' | 'reasonCode' | 'latencyMs'>): void {
    this.decisions.labels(decision.decision, request.actionType, decision.reasonCode).inc();
    this.durations.labels(decision.decision).observe(decision.latencyMs / 1000);
  }
}
