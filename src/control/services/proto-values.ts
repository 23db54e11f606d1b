/**
 * Conversions between protobuf values and the store's plain data: enums by name (the
 * generated enums use the same names as the engine's string unions), and timestamps as
 * ISO-8601 text with microseconds (PostgreSQL's precision), exact in both directions.
 */
import { create } from '@bufbuild/protobuf';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Action, Direction, Severity, ThreatType } from '../../../gen/bulwark/v1/threat_pb.js';
import type { ActionName, DirectionName, SeverityName, ThreatTypeName } from '../../detectors/types.js';
import { invalidArgument } from '../grpc/status-errors.js';

/** A name → enum value; '' (and unknown names) → UNSPECIFIED. */
function enumValue<E extends Record<string, string | number>>(enumObject: E, name: string): E[keyof E] {
  const value = enumObject[name];
  return (typeof value === 'number' ? value : 0) as E[keyof E];
}

/** An enum value → its name; undefined for UNSPECIFIED and unknown numbers. */
function enumName(enumObject: Record<number, string>, value: number): string | undefined {
  return value === 0 ? undefined : enumObject[value];
}

export const actionToProto = (name: ActionName | ''): Action => enumValue(Action, name);
export const directionToProto = (name: DirectionName): Direction => enumValue(Direction, name);
export const severityToProto = (name: SeverityName | ''): Severity => enumValue(Severity, name);
export const threatTypeToProto = (name: ThreatTypeName): ThreatType => enumValue(ThreatType, name);

/** Enum → name, or INVALID_ARGUMENT naming `field` when unspecified/unknown. */
export function actionFromProto(value: Action, field: string): ActionName {
  return requireName(enumName(Action, value), field) as ActionName;
}
export function directionFromProto(value: Direction, field: string): DirectionName {
  return requireName(enumName(Direction, value), field) as DirectionName;
}
export function severityFromProto(value: Severity, field: string): SeverityName {
  return requireName(enumName(Severity, value), field) as SeverityName;
}
export function threatTypeFromProto(value: ThreatType, field: string): ThreatTypeName {
  return requireName(enumName(ThreatType, value), field) as ThreatTypeName;
}

function requireName(name: string | undefined, field: string): string {
  if (!name) throw invalidArgument(`${field} must be set to a known value`);
  return name;
}

const ISO_MICROS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/** ISO-8601 UTC text (as the store returns it) → Timestamp; undefined for ''. */
export function timestampFromIso(iso: string): Timestamp | undefined {
  const match = ISO_MICROS.exec(iso);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}Z`) / 1000;
  const nanos = Number((match[2] ?? '').padEnd(9, '0'));
  return create(TimestampSchema, { seconds: BigInt(seconds), nanos });
}

/** Timestamp → ISO-8601 UTC with microseconds (sub-microsecond digits are truncated). */
export function isoFromTimestamp(ts: Timestamp, field: string): string {
  const ms = Number(ts.seconds) * 1000;
  // Years 1970..9999 only: enough for scan times, and toISOString stays in its 4-digit form.
  if (!Number.isFinite(ms) || ms < 0 || ms > 253_402_300_799_000 || ts.nanos < 0 || ts.nanos > 999_999_999) {
    throw invalidArgument(`${field} is not a valid timestamp`);
  }
  const whole = new Date(ms).toISOString().slice(0, 19);
  const micros = String(Math.floor(ts.nanos / 1000)).padStart(6, '0');
  return `${whole}.${micros}Z`;
}
