/**
 * Turns a {@link RecordFilterData} into a WHERE clause with bound parameters. Column names
 * are fixed strings; every value is a parameter.
 */
import type { RecordFilterData } from './record-types.js';

/** A WHERE fragment and its parameters, numbered from `firstParam`. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

/**
 * Builds the conditions for `alias`. `threatTypesVia` says how a threat-type filter applies:
 * directly on the detection row, or as "the scan has such a detection".
 */
export function recordFilterSql(filter: RecordFilterData, alias: string, threatTypesVia: 'column' | 'exists', firstParam: number): SqlCondition {
  const parts: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown): string => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  if (filter.startTime) parts.push(`${alias}.occurred_at >= ${next(filter.startTime)}::timestamptz`);
  if (filter.endTime) parts.push(`${alias}.occurred_at < ${next(filter.endTime)}::timestamptz`);
  if (filter.actions?.length) parts.push(`${alias}.action = ANY(${next(filter.actions)}::text[])`);
  if (filter.agentId) parts.push(`${alias}.agent_id = ${next(filter.agentId)}`);
  if (filter.direction) parts.push(`${alias}.direction = ${next(filter.direction)}`);
  if (filter.threatTypes?.length) {
    const types = next(filter.threatTypes);
    parts.push(
      threatTypesVia === 'column'
        ? `${alias}.threat_type = ANY(${types}::text[])`
        : `EXISTS (SELECT 1 FROM threat_detections d WHERE d.tenant_id = ${alias}.tenant_id AND d.scan_id = ${alias}.scan_id AND d.threat_type = ANY(${types}::text[]))`,
    );
  }
  return { sql: parts.length ? parts.join(' AND ') : 'true', params };
}
